; Every way into the kernel after boot: exception and IRQ stubs, INT 0x80, SYSENTER, and the way back out
; (IRET or SYSEXIT). Each entry builds the same struct trapframe (kernel.h) and calls trap_dispatch, so
; the C code sees one shape whatever the door. Also the kernel-stack switch used by the scheduler.

bits 32

KERNEL_DS       equ 0x10
USER_CS         equ 0x1B
USER_DS         equ 0x23
SYSENTER_VECTOR equ 0x100

extern trap_dispatch

section .text

; Exceptions 8, 10-14 and 17 push an error code (SDM vol. 3A Table 6-1); for the others we push a 0 so
; that every frame has the same layout.
%macro STUB_NOERR 1
isr%1:
    push 0
    push %1
    jmp trap_common
%endmacro
%macro STUB_ERR 1
isr%1:
    push %1
    jmp trap_common
%endmacro

%assign v 0
%rep 48
  %if v = 8 || (v >= 10 && v <= 14) || v = 17
    STUB_ERR v
  %else
    STUB_NOERR v
  %endif
  %assign v v+1
%endrep

; INT 0x80: the DPL-3 interrupt gate user programs may invoke.
global isr_syscall
isr_syscall:
    push 0
    push 0x80
    jmp trap_common

; The stub addresses, indexed by vector, for idt_init (vectors 0-31 exceptions, 32-47 the PIC's IRQs).
section .rodata
global isr_stubs
isr_stubs:
%assign v 0
%rep 48
    dd isr %+ v
  %assign v v+1
%endrep

section .text
trap_common:
    pushad
    push ds
    push es
    push fs
    push gs
    mov ax, KERNEL_DS           ; user segment selectors are DPL 3 and usable here, but the kernel uses its own
    mov ds, ax
    mov es, ax
    push esp                    ; trap_dispatch(struct trapframe *)
    call trap_dispatch
    add esp, 4
    ; fall through

; Leave the kernel through whichever door the frame came in by. New processes start here too: their first
; kernel stack holds a frame that "returns" to ring 3 at the program's entry point.
global trap_return
trap_return:
    pop gs
    pop fs
    pop es
    pop ds
    popad
    cmp dword [esp], SYSENTER_VECTOR
    je .sysexit
    add esp, 8                  ; vector and error code
    iretd
.sysexit:
    ; [esp] vector, +4 error, +8 eip, +12 cs, +16 eflags, +20 user esp, +24 user ss
    mov edx, [esp + 8]          ; SYSEXIT: EIP <- EDX
    mov ecx, [esp + 20]         ;          ESP <- ECX
    add esp, 16
    btr dword [esp], 9          ; restore the user's flags but not IF yet: an interrupt taken between POPFD
    popfd                       ; and SYSEXIT would find this stack half unwound
    sti                         ; STI delays interrupts until after the next instruction (SDM vol. 2
    sysexit                     ; "STI"), so IF=1 takes effect exactly as we reach ring 3

; SYSENTER: the CPU loaded CS=0x08, SS=0x10, ESP=IA32_SYSENTER_ESP (this process's kernel stack top),
; EIP=IA32_SYSENTER_EIP and cleared IF, VM and RF; it saved nothing (SDM vol. 2 "SYSENTER"). Build the
; frame an INT 0x80 from ring 3 would have built, from what the user stub left in ECX (its ESP) and EDX
; (its return address).
global sysenter_entry
sysenter_entry:
    push USER_DS                ; user SS
    push ecx                    ; user ESP
    pushfd                      ; the user's arithmetic flags; IF was 1 in ring 3 (IOPL 0 lets nobody clear
    or dword [esp], 0x200       ; it there) but SYSENTER cleared it, so put it back in the saved copy
    push USER_CS
    push edx                    ; user EIP
    push 0                      ; error code
    push SYSENTER_VECTOR
    jmp trap_common

; void switch_stacks(u32 *save_esp, u32 new_esp): save the callee-saved registers on the current kernel
; stack, park its ESP in *save_esp, continue on new_esp where another switch_stacks (or a new process's
; prepared stack, see proc.c) left the same four registers and a return address.
global switch_stacks
switch_stacks:
    mov eax, [esp + 4]
    mov edx, [esp + 8]
    push ebp
    push ebx
    push esi
    push edi
    mov [eax], esp
    mov esp, edx
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
