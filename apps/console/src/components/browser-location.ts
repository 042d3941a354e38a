// Leaving the console for another origin (a git provider's authorize page). One object, so a test can watch the
// navigation that jsdom cannot perform.
export const browserLocation = {
  assign(url: string): void {
    window.location.assign(url);
  },
};
