; Where every user program starts. The kernel left two words on the stack (proc.c): the argument string
; pointer and which system-call door to use (1 = SYSENTER, 0 = INT 0x80).

bits 32
extern main
extern exit
extern syscall_door

section .text.start progbits alloc exec nowrite align=16
global _start
_start:
    mov eax, [esp + 4]
    mov [syscall_door], eax
    call main                   ; main(const char *arg): the argument pointer is already at [esp]
    push eax
    call exit                   ; exit(main's return value); never returns

section .note.GNU-stack noalloc noexec nowrite progbits
