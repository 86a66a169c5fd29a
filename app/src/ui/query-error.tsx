export function QueryError({ error, what }: { error: Error; what: string }) {
  return (
    <p role="alert" className="error" data-testid="query-error">
      Could not read {what}: {error.message}
    </p>
  );
}
