; Workload "mixed": loads, stores, a rotate and a call/ret pair, 11 instructions an iteration, as in
; ../shared/notes/peers.md. The data and the stack are in the bss, on pages of their own (never on a code
; page, where a store would look like self-modifying code to a translator).
;
;   u32 workload_loop(u32 iterations)   (cdecl; iterations >= 1; returns a checksum)
;
; Window markers as in tight.asm: 0x02 and 0x03 written to port 0xE9; in between (first OUT included)
; exactly 11 * iterations + 2 instructions.

bits 32

global workload_loop, workload_name, workload_insns_per_iter, workload_default_iters

section .rodata
workload_name: db "mixed", 0
align 4
workload_insns_per_iter: dd 11
workload_default_iters: dd 20000000      ; 220 M instructions

section .bss nobits alloc noexec write align=4096
data: resd 1024

section .text
; Called once an iteration: a load, a read-modify-write of memory, and the return.
helper:
    mov edx, [esi + 4]          ; 6  load
    add [esi], edx              ; 7  load + store
    ret                         ; 8

workload_loop:
    push ebx
    push esi
    mov ecx, [esp + 12]         ; iterations
    mov esi, data
    mov dword [esi], 0x12345678
    mov dword [esi + 4], 0
    mov ebx, 0x9E3779B9
    mov al, 0x02                ; start marker
    out 0xE9, al
.loop:
    mov eax, [esi]              ; 1  load
    rol eax, 5                  ; 2  rotate
    add eax, ecx                ; 3
    mov [esi + 4], eax          ; 4  store
    call helper                 ; 5  call (6-8 in helper)
    xor ebx, eax                ; 9
    dec ecx                     ; 10
    jnz .loop                   ; 11
    mov al, 0x03                ; end marker
    out 0xE9, al
    mov eax, [esi]              ; checksum
    xor eax, [esi + 4]
    xor eax, ebx
    pop esi
    pop ebx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
