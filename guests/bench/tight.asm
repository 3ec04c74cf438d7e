; Workload "tight": the easiest loop for a JIT, five register instructions an iteration (add/xor/add/dec/jnz),
; as in ../shared/notes/peers.md.
;
;   u32 workload_loop(u32 iterations)   (cdecl; iterations >= 1; returns a checksum of the registers)
;
; The measured window is marked by two writes to the debug console port 0xE9: byte 0x02 before the loop and
; 0x03 after it. From the first OUT (included) to the second (excluded) there are exactly 5 * iterations + 2
; instructions on any x86: the OUT, the loop, and the MOV that loads the end marker.

bits 32

global workload_loop, workload_name, workload_insns_per_iter, workload_default_iters

section .rodata
workload_name: db "tight", 0
align 4
workload_insns_per_iter: dd 5
workload_default_iters: dd 40000000      ; 200 M instructions

section .text
workload_loop:
    push ebx
    push esi
    mov ecx, [esp + 12]         ; iterations
    xor edx, edx
    mov ebx, 0x12345678
    mov esi, 0x9E3779B9
    mov al, 0x02                ; start marker
    out 0xE9, al
.loop:
    add edx, 1
    xor ebx, edx
    add esi, ebx
    dec ecx
    jnz .loop
    mov al, 0x03                ; end marker
    out 0xE9, al
    mov eax, edx                ; checksum of the three registers
    xor eax, ebx
    xor eax, esi
    pop esi
    pop ebx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
