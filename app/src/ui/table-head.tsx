import type { ReactNode } from "react";

/** A table's caption for screen readers and its row of column headers. */
export function TableHead({ caption, columns }: { caption: string; columns: readonly ReactNode[] }) {
  return (
    <>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th scope="col" key={i}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
    </>
  );
}
