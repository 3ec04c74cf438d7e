// Guest exceptions travel through the executor as one preallocated sentinel: the raising site stores
// vector and error code on the CPU and throws FAULT; the run loop catches it and delivers the event.
// A host error (any other throwable) is a bug in the emulator and is never swallowed.

export class GuestFault {
  readonly name = 'GuestFault';
}
export const FAULT = new GuestFault();
