import { DomainError } from '#core/errors';

/** The domain refusal a promise rejects with (any other outcome fails the test). */
export async function refusalOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal, got a result');
}
