#!/bin/busybox sh
# /init of trapeze's Linux initramfs (src/loaders/linux-initramfs.ts puts it there, with /bin/busybox and
# /session.sh). The kernel runs it as process 1 with /dev/console from the archive as its standard input,
# output and error.
#
# It mounts the kernel's file systems, installs busybox's applets as symlinks, prints the marker line
# (INIT_MARKER in linux-initramfs.ts: what the tests and the bench wait for), then does what the kernel
# command line asks:
#   trapeze.mode=marker   power off right after the marker (time-to-userspace benchmark)
#   trapeze.mode=script   run /session.sh with its output on the console, then power off
#   (anything else)       an interactive shell on the console with job control; power off when it exits
# Process 1 must never exit (the kernel panics), so every path ends in `poweroff -f`.

/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
# --install finds busybox through /proc/self/exe, so it comes after /proc.
/bin/busybox --install -s

export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=vt100
cd /root

echo 'trapeze-init: userspace reached'

# Arguments with a dot are not passed to init's environment: read the command line.
mode=
for arg in $(cat /proc/cmdline); do
  case $arg in
    trapeze.mode=*) mode=${arg#trapeze.mode=} ;;
  esac
done

case $mode in
  marker)
    ;;
  script)
    echo 'trapeze-init: session begin'
    # Run as "session.sh" from /, as the native run does from its own folder: $0 in any message is the same.
    (cd / && sh session.sh </dev/null)
    echo 'trapeze-init: session done'
    ;;
  *)
    echo 'trapeze-init: interactive shell; "poweroff -f" or exit to stop'
    # setsid makes the shell a session leader; cttyhack opens the real console (ttyS0, from
    # /sys/class/tty/console/active) as its controlling terminal, so Ctrl-C and job control work.
    setsid cttyhack sh -l
    ;;
esac

poweroff -f
echo 'trapeze-init: poweroff failed'
while :; do sleep 3600; done
