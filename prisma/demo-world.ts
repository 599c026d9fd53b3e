/**
 * The sandbox's demo world (prisma/seed.ts), in a module of its own so that tests can read it
 * without running the seed.
 */
export const DEMO_USERS = ['alice', 'bob'];

/**
 * The house lender: a KYC-approved user whose deposits give every market cash to lend, so that
 * a first borrow works. About a million dollars a market at the demo prices (and little enough
 * that a borrow moves the rates visibly).
 */
export const HOUSE_USER = 'house';
export const HOUSE_SUPPLY: Record<string, string> = {
  BTC: '20',
  ETH: '300',
  SOL: '5000',
  USDC: '1000000',
  USDT: '1000000',
  LAB: '2000000',
};
