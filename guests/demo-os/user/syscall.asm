; The two system-call doors (abi.h): number in EAX, arguments in EBX, ESI, EDI, result in EAX.
; Both are cdecl functions: i32 sc_int80(nr, a1, a2, a3) and i32 sc_sysenter(nr, a1, a2, a3).

bits 32
section .text

global sc_int80
sc_int80:
    push ebx
    push esi
    push edi
    mov eax, [esp + 16]
    mov ebx, [esp + 20]
    mov esi, [esp + 24]
    mov edi, [esp + 28]
    int 0x80
    pop edi
    pop esi
    pop ebx
    ret

; SYSENTER saves nothing: we tell the kernel where to come back to (EDX) and with which stack (ECX), and
; SYSEXIT returns there (SDM vol. 2 "SYSEXIT": EIP <- EDX, ESP <- ECX). ECX and EDX are caller-saved in
; the cdecl convention, so losing them is fine.
global sc_sysenter
sc_sysenter:
    push ebx
    push esi
    push edi
    push ebp
    mov eax, [esp + 20]
    mov ebx, [esp + 24]
    mov esi, [esp + 28]
    mov edi, [esp + 32]
    mov ecx, esp
    mov edx, .back
    sysenter
.back:
    pop ebp
    pop edi
    pop esi
    pop ebx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
