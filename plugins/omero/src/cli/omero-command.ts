export function registerOmeroCommand(): void {}
