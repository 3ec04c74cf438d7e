#ifndef DEMO_ELF_H
#define DEMO_ELF_H
#include "kernel.h"
/* Map and copy the PT_LOAD segments of an ELF32 executable into the user half of page directory pd.
 * Returns NULL on success (with the entry point and the end of the highest segment), else the reason. */
const char *elf_load(u32 pd, const u8 *image, u32 size, u32 *entry, u32 *image_end);
bool copy_string_to_space(u32 pd, u32 va, const char *s);
#endif
