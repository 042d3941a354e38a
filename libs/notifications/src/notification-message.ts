// What a notification says: by default who ran what and how it ended, with a link; `notification.message` in
// `.devops.yml` replaces the text. Every channel gets the same plain text; each encodes it its own way.

/** The facts about a finished run that a message may carry; nothing secret. */
export interface RunFacts {
  project: string;
  pipeline: string;
  execution: string;
  run: number;
  phase: string;
  branch?: string;
  tag?: string;
  commit?: string;
  author?: string;
  event?: string;
  /** Why it ended so (the execution's status.reason). */
  reason?: string;
  /** The run in the console, when the console URL is configured. */
  link?: string;
}

export interface NotificationMessage {
  /** One line, for a mail subject. */
  subject: string;
  text: string;
  facts: RunFacts;
}

export function shortCommit(commit: string | undefined): string | undefined {
  return commit ? commit.slice(0, 7) : undefined;
}

/** The message of a run: `custom` (the config's `message`) replaces the default text, never the subject. */
export function notificationMessage(facts: RunFacts, custom?: string): NotificationMessage {
  const subject = oneLine(`[keelson] ${facts.project}/${facts.pipeline} #${facts.run} ${facts.phase}`);
  return { subject, text: custom?.trim() ? custom : defaultText(facts), facts };
}

function defaultText(facts: RunFacts): string {
  const where = [
    facts.branch ? `branch ${facts.branch}` : facts.tag ? `tag ${facts.tag}` : undefined,
    facts.commit ? `commit ${shortCommit(facts.commit)}` : undefined,
    facts.author ? `by ${facts.author}` : undefined,
  ].filter(Boolean).join(', ');
  return [
    `Pipeline ${facts.project}/${facts.pipeline} run #${facts.run}: ${facts.phase}`,
    where || undefined,
    facts.phase !== 'Succeeded' && facts.reason ? `Reason: ${facts.reason}` : undefined,
    facts.link,
  ].filter((line): line is string => Boolean(line)).map(oneLine).join('\n');
}

/** Control characters (line breaks included) become spaces: a field never starts a line of its own. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}
