; Entry point and Multiboot header shared by the platform test kernels.
;
; Assembled twice: as is for the ELF test kernels, and with -DAOUT for the one built as a flat binary with
; the "a.out kludge" (header flag 16): then the header itself tells the loader where to put the file and
; where to jump, because there are no ELF headers to say it (Multiboot spec §3.1.3).
;
; Before anything else it records the machine state the loader handed over (registers, segment
; selectors, CR0, CR4, EFLAGS, GDTR, IDTR), so that the boot test can check it against the spec.

bits 32

MB_MAGIC equ 0x1BADB002
%ifdef AOUT
MB_FLAGS equ (1 << 0) | (1 << 1) | (1 << 16)
%else
MB_FLAGS equ (1 << 0) | (1 << 1)
%endif

section .multiboot progbits alloc noexec nowrite align=4
mb_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
%ifdef AOUT
extern _load_end, _bss_end
    dd mb_header                ; header_addr: where this header will be in memory
    dd mb_header                ; load_addr: the file is loaded from its first byte, which is this header
    dd _load_end                ; load_end_addr: end of the file's data
    dd _bss_end                 ; bss_end_addr: the loader zeroes up to here
    dd _start                   ; entry_addr
%endif

section .bss nobits alloc noexec write align=16
global boot_eax, boot_ebx, boot_esp, boot_eflags, boot_cr0, boot_cr4, boot_gdtr, boot_idtr, boot_sel
boot_eax: resd 1
boot_ebx: resd 1
boot_esp: resd 1
boot_eflags: resd 1
boot_cr0: resd 1
boot_cr4: resd 1
boot_gdtr: resb 8               ; limit (2 bytes), base (4 bytes)
boot_idtr: resb 8
boot_sel: resw 6                ; cs, ds, es, fs, gs, ss
stack: resb 16384
stack_top:

section .text
global _start
extern test_entry
_start:
    mov [boot_eax], eax         ; MOVs leave EFLAGS alone, so they can come before PUSHFD
    mov [boot_ebx], ebx
    mov [boot_esp], esp
    mov [boot_sel + 0], cs
    mov [boot_sel + 2], ds
    mov [boot_sel + 4], es
    mov [boot_sel + 6], fs
    mov [boot_sel + 8], gs
    mov [boot_sel + 10], ss
    mov eax, cr0
    mov [boot_cr0], eax
    mov eax, cr4
    mov [boot_cr4], eax
    sgdt [boot_gdtr]
    sidt [boot_idtr]
    mov esp, stack_top          ; ESP is undefined at entry: only now do we have a stack
    pushfd
    pop dword [boot_eflags]     ; EFLAGS as the loader left it (POP to memory changes no flags)
    cld
    xor ebp, ebp
    call test_entry
.hang:
    cli
    hlt
    jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
