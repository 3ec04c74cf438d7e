bits 32
org 0x10000
  call 0x10100
  mov ebx, eax
  mov esi, 0x10200
  mov edi, 0x10100
  mov ecx, 6
  rep movsb
  call 0x10100
  hlt
