// An account actor the in-process cluster tests host: deposits, balances, transfers to other (maybe remote) accounts, a failing method.
import { Actor } from '../../runtime/index.ts';

export class Account extends Actor<{ balance: number }> {
  static readonly type = 'Account';
  static readonly options = { autoSave: true };
  override state = { balance: 0 };

  async deposit(amount: number): Promise<number> {
    this.state.balance += amount;
    return this.state.balance;
  }

  async balance(): Promise<number> {
    return this.state.balance;
  }

  /** Moves money to another account, which may live on another node. */
  async transfer(to: string, amount: number): Promise<number> {
    await this.actorOf(Account, to).deposit(amount);
    this.state.balance -= amount;
    return this.state.balance;
  }

  async fail(): Promise<never> {
    throw new RangeError('no such thing');
  }
}
