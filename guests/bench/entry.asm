; Entry point and Multiboot header of the benchmark guests (guests/bench/).
;
; The header asks for nothing (flags 0): the guests read only the command line, so they boot the same on
; trapeze, QEMU (-kernel) and v86 (multiboot option ROM after SeaBIOS). The loader leaves ESP undefined
; and need not zero the bss (v86 copies only the file's bytes), so both are done here.

bits 32

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0

section .multiboot progbits alloc noexec nowrite align=4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .bss nobits alloc noexec write align=4096
stack: resb 16384
stack_top:

section .text
global _start
extern bench_main, _bss_start, _bss_end
_start:
    mov esp, stack_top
    mov esi, eax                ; the Multiboot magic and information pointer survive the bss clearing
    mov edx, ebx
    cld
    mov edi, _bss_start
    mov ecx, _bss_end
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd
    mov esp, stack_top          ; (the stack is in the bss: it was just cleared, ESP still at its top)
    push edx                    ; bench_main(magic, info)
    push esi
    xor ebp, ebp
    call bench_main
.hang:
    cli
    hlt
    jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
