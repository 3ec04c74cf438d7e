; Workload "memory": memset and memcpy over several MiB, then a walk that touches a new page at every step,
; with 4 KiB paging on, so that address translation (a software TLB, its misses, its flush) is on the
; measured path. One pass, 5,079,053 instructions:
;
;   memset  A (4 MiB) with a 32-bit pattern        262,144 iterations x 7  (4 stores)   + 2
;   memcpy  A -> B (4 MiB)                         262,144 iterations x 12 (4 loads, 4 stores) + 3
;   walk    A and B (8 MiB), stride 4 KiB + 4      16,384 steps x 6 (a read-modify-write and a load on a
;           bytes, so every step lands on another  page other than the previous step's)          + 2
;           page: 2,048 pages, each visited 8 times
;   reload CR3 (flushes every TLB entry: the next pass starts cold), change the pattern, count down  6
;
; A is virtual 0x40000000, B 0x40400000, both backed by physical 4 MiB..12 MiB (within the 128 MiB that
; every engine gets) through two page tables built here; the first 4 MiB (this program, its stack and the
; tables) are identity-mapped. No global pages (CR4.PGE stays clear), so the CR3 reload flushes everything.
;
; No REP string instruction: how a REP MOVS is counted (once, or once per element or per chunk) differs
; between engines, so the copies are plain loops and every x86 retires exactly the same instructions.
;
;   u32 workload_loop(u32 passes)   (cdecl; passes >= 1; returns a checksum)
;
; Window markers as in tight.asm: 0x02 and 0x03 written to port 0xE9; in between (first OUT included)
; exactly 5,079,053 * passes + 2 instructions.

bits 32

global workload_loop, workload_name, workload_insns_per_iter, workload_default_iters

BUF_A      equ 0x40000000           ; virtual
BUF_B      equ 0x40400000
BUF_BYTES  equ 0x400000             ; 4 MiB each
BUF_PHYS   equ 0x00400000           ; A at physical 4 MiB, B right after it
WALK_STEPS equ 16384
WALK_STRIDE equ 0x1004
WALK_MASK  equ 0x7FFFFC             ; offsets stay inside A+B (8 MiB), dword-aligned

PTE_P_RW   equ 0x003                ; present, writable, supervisor

section .rodata
workload_name: db "memory", 0
align 4
workload_insns_per_iter: dd 5079053
workload_default_iters: dd 40           ; 203 M instructions

section .bss nobits alloc noexec write align=4096
page_dir:   resd 1024
pt_low:     resd 1024               ; 0 .. 4 MiB, identity
pt_bufs:    resd 2048               ; BUF_A .. BUF_A + 8 MiB -> BUF_PHYS ..

section .text
; Build the page tables and turn paging on. Runs before the window; clobbers eax, ecx, edx, edi.
paging_on:
    mov edi, page_dir               ; (the bss is zeroed: every other directory entry is not present)
    mov dword [edi], pt_low + PTE_P_RW
    mov dword [edi + (BUF_A >> 22) * 4], pt_bufs + PTE_P_RW
    mov dword [edi + (BUF_A >> 22) * 4 + 4], pt_bufs + 4096 + PTE_P_RW
    mov edi, pt_low
    mov eax, PTE_P_RW               ; page 0 onwards
    mov ecx, 1024
.low:
    mov [edi], eax
    add eax, 4096
    add edi, 4
    dec ecx
    jnz .low
    mov edi, pt_bufs
    mov eax, BUF_PHYS + PTE_P_RW
    mov ecx, 2048
.bufs:
    mov [edi], eax
    add eax, 4096
    add edi, 4
    dec ecx
    jnz .bufs
    mov eax, page_dir
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000              ; CR0.PG
    mov cr0, eax
    jmp .flush                      ; (SDM 9.9.1: a jump right after setting PG)
.flush:
    ret

workload_loop:
    push ebx
    push esi
    push edi
    push ebp
    call paging_on
    mov ecx, [esp + 20]             ; passes
    mov ebx, 0x9E3779B9             ; the memset pattern
    xor ebp, ebp                    ; the walk's accumulator
    mov al, 0x02                    ; start marker
    out 0xE9, al
.pass:
    ; memset(A, pattern, 4 MiB)
    mov edi, BUF_A
    mov edx, BUF_BYTES / 16
.memset:
    mov [edi], ebx
    mov [edi + 4], ebx
    mov [edi + 8], ebx
    mov [edi + 12], ebx
    add edi, 16
    dec edx
    jnz .memset
    ; memcpy(B, A, 4 MiB)
    mov esi, BUF_A
    mov edi, BUF_B
    mov edx, BUF_BYTES / 16
.memcpy:
    mov eax, [esi]
    mov [edi], eax
    mov eax, [esi + 4]
    mov [edi + 4], eax
    mov eax, [esi + 8]
    mov [edi + 8], eax
    mov eax, [esi + 12]
    mov [edi + 12], eax
    add esi, 16
    add edi, 16
    dec edx
    jnz .memcpy
    ; walk A and B a page at a time
    xor esi, esi
    mov edx, WALK_STEPS
.walk:
    add [esi + BUF_A], ebp
    add ebp, [esi + BUF_A + 4]
    add esi, WALK_STRIDE
    and esi, WALK_MASK
    dec edx
    jnz .walk
    ; every TLB entry goes; a new pattern for the next pass
    mov eax, cr3
    mov cr3, eax
    rol ebx, 5
    add ebx, ecx
    dec ecx
    jnz .pass
    mov al, 0x03                    ; end marker
    out 0xE9, al
    mov eax, ebp                    ; checksum: the accumulator, the pattern, a word of A and of B
    xor eax, ebx
    xor eax, [BUF_A + 0x123450]
    xor eax, [BUF_B + 0x3FFFFC]
    pop ebp
    pop edi
    pop esi
    pop ebx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
