; Interrupt stubs for the test kernels: vectors 0-47 (exceptions and the PIC's IRQs at 0x20-0x2F), each
; building the same frame (struct t_regs in testlib.h) and calling t_trap.

bits 32
extern t_trap
section .text

%macro STUB 1
isr%1:
  %if !(%1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17)
    push 0                      ; no error code from the CPU: keep the frame shape
  %endif
    push %1
    jmp isr_common
%endmacro

%assign v 0
%rep 48
    STUB v
  %assign v v+1
%endrep

isr_common:
    pushad
    push esp
    call t_trap
    add esp, 4
    popad
    add esp, 8
    iretd

section .rodata
global t_isr_stubs
t_isr_stubs:
%assign v 0
%rep 48
    dd isr %+ v
  %assign v v+1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
