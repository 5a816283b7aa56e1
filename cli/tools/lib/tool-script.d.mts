/** Types of tool-script.mjs (the command-line frame of the bundled tool scripts). */
export declare class ArgumentError extends Error {}
export declare function runToolScript(
  tool: string,
  names: readonly string[],
  body: (args: Record<string, string>) => Promise<void>,
  settings?: { optional?: readonly string[]; argv?: readonly string[] },
): Promise<void>;
export declare function parseToolArgs(names: readonly string[], argv: readonly string[], optional?: readonly string[]): Record<string, string>;
export declare function numberArg(text: string, name: string, range?: { min?: number; max?: number; integer?: boolean }): number;
export declare function choiceArg<T extends string>(text: string, name: string, allowed: readonly T[]): T;
export declare function progress(percent: number): void;
