# Trapeze's scripted Linux session (issue 10). /init runs it with `trapeze.mode=script` on the kernel
# command line; src/loaders/linux-session.test.ts also runs it natively with the same busybox binary (the
# host runs i386 binaries) and requires the two outputs to be byte-identical, section by section.
#
# Rules that keep it comparable:
# - Every applet is busybox's: in the guest through /bin/* symlinks, natively through a PATH directory of
#   symlinks to the same binary. Nothing names a path that differs between the two (the work directory
#   comes from mktemp and is never printed; busybox itself is found with `command -v`).
# - Output depends only on the inputs made here: no times, sizes of the machine, process ids.
# - Sections whose output names the machine start with "== machine: ... ==" and are dropped before
#   the comparison (src/loaders/linux-session.ts); every other section must match byte for byte.
# - Floating point (x87 in the static busybox): + - * / and conversions, all correctly rounded; this
#   busybox's awk has no math functions, and bc's are decimal software.

export TZ=UTC0 LC_ALL=C
cd "$(mktemp -d)" || exit 1

echo '== machine: uname =='
uname -a
echo '== machine: cpuinfo =='
cat /proc/cpuinfo

echo '== kernel name =='
uname -s

echo '== making files =='
seq 1 1000 > seq.txt
i=0
while [ $i -lt 1500 ]; do
  echo "line $i $((i * i)) $((i * 7919 % 1009))"
  i=$((i + 1))
done > lines.txt
# Every byte value once: one printf of 256 octal escapes (built without a subshell per byte).
i=0; fmt=
while [ $i -lt 256 ]; do
  fmt="$fmt\\$((i / 64))$((i / 8 % 8))$((i % 8))"
  i=$((i + 1))
done
printf "$fmt" > bytes.bin
printf 'The quick brown fox jumps over the lazy dog' > fox.txt
: > empty.txt
wc -c seq.txt lines.txt bytes.bin fox.txt empty.txt
wc -l seq.txt lines.txt

echo '== hashes =='
md5sum seq.txt lines.txt bytes.bin fox.txt empty.txt
sha1sum seq.txt bytes.bin fox.txt
sha256sum seq.txt lines.txt bytes.bin fox.txt empty.txt
sha512sum fox.txt bytes.bin
sha3sum fox.txt bytes.bin
crc32 fox.txt bytes.bin

echo '== busybox binary =='
# The shell is busybox itself (in the guest /bin/busybox, natively wherever the test keeps it).
wc -c < /proc/self/exe
md5sum < /proc/self/exe
sha256sum < /proc/self/exe

echo '== sort =='
seq 1 300 | sort -r | sort -n | md5sum
seq 1 20 | sort -rn | tr '\n' ' '; echo
seq 1 20 | sort | tr '\n' ' '; echo
printf '%s\n' 3.5 -2 1e3 0.001 -0.5 12 2.25e-2 7 -1e2 0 | sort -g | tr '\n' ' '; echo
printf '%s\n' 3.5 -2 1e3 0.001 -0.5 12 2.25e-2 7 -1e2 0 | sort -gr | tr '\n' ' '; echo
sort -t ' ' -k4,4n -k2,2nr lines.txt | head -5
sort -u -t ' ' -k4,4n lines.txt | wc -l
awk '{ print $4 }' lines.txt | sort -n | uniq -c | sort -k1,1nr -k2,2n | head -3

echo '== shell arithmetic =='
sum=0; fib_a=0; fib_b=1; i=1
while [ $i -le 400 ]; do
  sum=$((sum + i * i - (i % 7) * 3))
  t=$(( (fib_a + fib_b) % 1000000007 )); fib_a=$fib_b; fib_b=$t
  i=$((i + 1))
done
echo "sum=$sum fib=$fib_b"
echo $((2147483647 + 1)) $((-2147483648 - 1)) $((1 << 40)) $((0x7fffffff * 3)) $((-7 / 2)) $((-7 % 2)) $((7 % -3))
echo $((077)) $((0x1F)) $((~5)) $((5 ^ 3)) $((12 & 10)) $((12 | 3)) $((3 > 2 && 1 < 0)) $((10 > 3 ? 100 : 200))
x=5; x=$((x * x + x)); echo $x $((x <<= 2)) $x

echo '== awk floating point =='
awk 'BEGIN {
  x = 0.1 + 0.2
  printf "%.20f %e %g %.17g\n", x, x, x, x
  printf "%.17g %.17g %.17g %.17g\n", 1 / 3, 2 / 3, -1 / 3, 10 / 7
  printf "%.17g %.17g %.17g\n", 1e300 * 10, 1e-300 / 1e10, 123456789 * 987654321
  printf "%f %f %e %E\n", 3.14159265358979, -2.5, 6.02214076e23, 1.602176634e-19
  printf "%g %g %g %g %g %g\n", 0.0001, 0.00001, 123456, 1234567, 1e100, -0
  printf "%.0f %.0f %.0f %.0f %.0f\n", 0.5, 1.5, 2.5, -0.5, 3.5
  printf "%d %d %d\n", int(7.9), int(-7.9), int(2147483648.5)
  p = 1; for (i = 0; i < 60; i++) p = p * 2; printf "%.17g %.17g\n", p, p + 1
  s = 0; for (i = 1; i <= 1000; i++) s += 1 / i; printf "%.17g\n", s
  s = 0; for (i = 1; i <= 1000; i++) s += (i % 2 ? 1 : -1) / (2 * i - 1); printf "%.17g\n", 4 * s
  print 1 / 7, 100000 * 3.3, 1e6, 1e16, 0.1 * 3
}'
awk '{ s += $1; q += $1 * $1; h += 1 / $1 } END { printf "%d %.6f %.10e %.17g\n", s, s / NR, q, h }' seq.txt
awk '{ s += $3 / ($2 + 1) } END { printf "%.15e\n", s }' lines.txt

echo '== printf floating point =='
printf '%f %.3f %10.4f %-10.2f| %08.3f\n' 3.14159265358979 2.0005 -1.5 42 -3.5
printf '%e %.2e %E %g %G\n' 6.02214076e23 0.000123456 1e-10 1e-5 1e20
printf '%g %g %g %g %g\n' 100000 1000000 0.0001 123.456 1.5e-7
printf '%.15g %.17g %.20f\n' 0.1 0.1 0.1
printf '%d %i %o %x %X %u %c %s|%5s|%-5s|\n' 42 -42 8 255 255 3000000000 A str ab cd

echo '== dd =='
dd if=/dev/zero bs=512 count=8 2>dd.err | md5sum; cat dd.err
dd if=lines.txt bs=100 skip=3 count=5 2>dd.err | md5sum; cat dd.err
dd if=lines.txt of=part.bin bs=7 count=13 2>dd.err; cat dd.err; md5sum part.bin
dd if=fox.txt conv=swab 2>/dev/null; echo
dd if=bytes.bin bs=1 skip=65 count=26 2>/dev/null; echo
dd if=seq.txt of=pad.bin bs=1000 conv=sync 2>dd.err; cat dd.err; wc -c < pad.bin; md5sum pad.bin

echo '== gzip and bzip2 =='
gzip -c lines.txt | md5sum
gzip -9 -c < lines.txt | md5sum
gzip -1 -c < bytes.bin | md5sum
gzip -c lines.txt | gzip -dc | md5sum
gzip -c bytes.bin > bytes.gz; gzip -t bytes.gz && echo gzip-t-ok; zcat bytes.gz | cmp - bytes.bin && echo same
bzip2 -c lines.txt | md5sum
bzip2 -c lines.txt | bzip2 -dc | md5sum
gzip -c < empty.txt | od -An -tx1

echo '== od base64 xxd =='
od -x bytes.bin | head -4
od -An -tx1 -N 16 fox.txt
od -c fox.txt
od -An -td4 -N 16 bytes.bin
base64 fox.txt
base64 bytes.bin | md5sum
base64 bytes.bin | base64 -d | cmp - bytes.bin && echo base64-roundtrip-ok
xxd -l 48 bytes.bin
hexdump -C fox.txt

echo '== expr factor =='
expr 6 \* 7; expr 100 / 7; expr 100 % 7; expr -17 / 5; expr length 'hello world'
expr substr hello 2 3; expr 'abcdef' : 'a\(.*\)e'; expr 3 \< 20; expr 2147483647 + 1
factor 1 2 3 97 1001 65536 999999 4294967291 4294967297 600851475143 18446744073709551615

echo '== bc dc =='
echo 'scale=40; 1/7; 2^100; sqrt(2); 355/113' | bc
echo 'scale=30; s(1); c(1); a(1)*4; l(10); e(1)' | bc -l
echo '2 64 ^ p 10 k 1 3 / p 7 v p' | dc
echo '[dd*p1+d10>a]sa 1 lax' | dc

echo '== date =='
date -u -d @0
date -u -d @1234567890 '+%Y-%m-%d %H:%M:%S %a %b %j %U %s'
date -u -d '2024-02-29 12:34:56' '+%s %A'
# The clock itself differs between runs: only the shape of the RTC's date.
date +%Y | grep -c '^[12][0-9][0-9][0-9]$'
date '+%Y-%m-%d %H:%M:%S' | grep -c '^[0-9-]* [0-9:]*$'
cal 2 2024

echo '== text tools =='
sed -n '1p; 250p; 1000,1002p; $p' lines.txt
sed 's/line \([0-9]*\)/L\1/; s/ /,/g' lines.txt | md5sum
tr 'a-z' 'A-Z' < fox.txt; echo
tr -d 'aeiou' < fox.txt; echo
cut -d ' ' -f 3 lines.txt | sort -n | tail -3
grep -c ' 1[0-9]*$' lines.txt
grep -n 'line 1[0-4][0-9] ' lines.txt | head -3
tac seq.txt | head -3
rev fox.txt; echo
paste -d: seq.txt seq.txt | head -2
head -c 100 lines.txt | wc -c
printf '%s\n' b a c a b | uniq -c
printf '%s\n' b a c a b | sort | uniq -d

echo '== end =='
