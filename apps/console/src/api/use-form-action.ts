// A dialog form's submit: busy while the call runs, the API's problem (title: detail) as the error to show.
import { useState, type FormEvent } from 'react';
import { ApiError } from './problem';

/** What a failed call says to the user: the problem's title and detail, else the error as text. */
export function problemMessage(err: unknown): string {
  return err instanceof ApiError ? `${err.problem.title}: ${err.problem.detail}` : String(err);
}

export function useFormAction(action: () => Promise<void>): { busy: boolean; error: string | undefined; submit: (ev: FormEvent) => Promise<void> } {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
