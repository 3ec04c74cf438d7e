bits 32
org 0x10000
; patch the very next instruction: the write must be visible to it
  mov ecx, 3
  jmp again
again2:
  mov byte [next+1], 0x55
  jmp next
again:
  mov byte [next+1], 0x44
next:
  mov eax, 0x11
  dec ecx
  jnz again2
  hlt
