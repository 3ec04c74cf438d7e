bits 32
org 0x10000
start:
  mov eax, 1
  cmp ecx, 1
  je done
  mov byte [start+1], 7
  inc ecx
  jmp start
done: hlt
