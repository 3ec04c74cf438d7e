; The demo OS's entry point and Multiboot v1 header.
;
; A Multiboot loader (GRUB, QEMU -kernel, trapeze) finds the header in the first 8 KiB of the file, loads
; the ELF segments at their physical addresses and jumps to _start in 32-bit protected mode with paging
; off, EAX = 0x2BADB002 and EBX = the physical address of the boot information (Multiboot spec §3.2).
; ESP is undefined, so the first thing we do is take our own stack.

bits 32

MB_MAGIC    equ 0x1BADB002
MB_FLAGS    equ (1 << 0) | (1 << 1)      ; page-align modules; we need mem_* and the memory map
MB_CHECKSUM equ -(MB_MAGIC + MB_FLAGS)   ; magic + flags + checksum must be 0 (mod 2^32)

section .multiboot progbits alloc noexec nowrite align=4
    dd MB_MAGIC
    dd MB_FLAGS
    dd MB_CHECKSUM

section .bss nobits alloc noexec write align=16
boot_stack:
    resb 16384
boot_stack_top:

section .text
global _start
extern kmain
_start:
    cli                         ; the spec says IF=0 already; be explicit
    cld                         ; the C ABI requires DF=0
    mov esp, boot_stack_top     ; this stack becomes the idle process's kernel stack
    xor ebp, ebp                ; end of the frame-pointer chain
    push ebx                    ; kmain(magic, info)
    push eax
    call kmain
.hang:                          ; kmain never returns
    cli
    hlt
    jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
