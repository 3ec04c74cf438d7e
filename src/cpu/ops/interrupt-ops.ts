// placeholder: filled in by its owner
export function install(): void {}
