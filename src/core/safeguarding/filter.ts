export async function runScreenFilter(): Promise<number> { return 0; }
