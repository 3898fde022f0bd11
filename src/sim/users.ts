/** The meter's user accounts; changes apply at once, also to tokens already issued. */
import type { SimUser } from './types';

export const DEFAULT_USER: SimUser = { username: 'owner', password: 'default', rights: ['view', 'ctrl', 'save'] };

export class UserDirectory {
  private readonly users = new Map<string, SimUser>();

  constructor(users: readonly SimUser[]) {
    for (const user of users) this.set(user);
  }

  set(user: SimUser): void {
    if (typeof user.username !== 'string' || user.username === '' || typeof user.password !== 'string') {
      throw new TypeError('a simulator user needs a non-empty username and a password');
    }
    this.users.set(user.username, { username: user.username, password: user.password, rights: [...user.rights] });
  }

  get(username: string): SimUser | undefined {
    return this.users.get(username);
  }

  rightsOf(username: string): string[] {
    return [...(this.users.get(username)?.rights ?? [])];
  }

  has(username: string, right: string): boolean {
    return this.users.get(username)?.rights.includes(right) ?? false;
  }
}
