; The user programs, embedded in the kernel image as the ELF files the build produced. The kernel loads
; them into fresh address spaces (elf.c), so the demo needs no file system and no boot modules. The build
; passes the directory holding the built programs with -i.

section .rodata
align 16

%macro PROGRAM 2
global prog_%1, prog_%1_end
prog_%1:
    incbin %2
prog_%1_end:
align 16
%endmacro

PROGRAM shell, "shell.elf"
PROGRAM sieve, "sieve.elf"
PROGRAM clock, "clock.elf"
PROGRAM crash, "crash.elf"

section .note.GNU-stack noalloc noexec nowrite progbits
