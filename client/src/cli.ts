/**
 * `fedstr` — the participant's and the organization's command line. Dispatches to one module per
 * command (client/src/commands); each takes --json and the common configuration flags.
 * Results go to stdout (a human summary, or JSON with --json), progress to stderr; exit status
 * 0 on success, 1 on refusal or failure, 2 on a usage mistake.
 */
import { COMMON_HELP, type Output, runCommand, UsageError } from "@fedstr/sdk/cli";

type Command = { main(argv: string[], out: Output): Promise<void>; help: string };

const COMMANDS: Record<string, () => Promise<Command>> = {
  pools: () => import("./commands/pools.js"),
  join: () => import("./commands/join.js"),
  train: () => import("./commands/train.js"),
  status: () => import("./commands/status.js"),
  claim: () => import("./commands/claim.js"),
  withdraw: () => import("./commands/withdraw.js"),
  verify: () => import("./commands/verify.js"),
};

/** Commands with subcommands: `fedstr pool create`, `fedstr plan init`, `fedstr data shards`. */
const GROUPS: Record<string, Record<string, () => Promise<Command>>> = {
  pool: {
    create: () => import("./commands/pool-create.js"),
    cancel: () => import("./commands/pool-cancel.js"),
    finalize: () => import("./commands/pool-finalize.js"),
    expire: () => import("./commands/pool-expire.js"),
  },
  plan: {
    templates: () => import("./commands/plan-templates.js"),
    init: () => import("./commands/plan-init.js"),
  },
  data: {
    shards: () => import("./commands/data-shards.js"),
  },
};

export const HELP = `fedstr — federated learning for rewards: find pools, stake, train on your own data, claim

Participants:
  fedstr pools [--all]                          active pools with their terms
  fedstr join <pool> [--stake <amount>]         stake on a pool
  fedstr train <pool> --data <file>             train every round until the pool ends (restartable)
  fedstr status <pool>                          pool progress, your stake, rounds and rewards
  fedstr claim <pool>                           claim your rewards of all posted rounds
  fedstr withdraw <pool>                        take your stake back once the pool has ended
  fedstr verify <pool> [--round N]              recompute posted rounds and check them against the chain

Organizations:
  fedstr plan templates                         the training-plan templates to start from
  fedstr plan init --template <id> [--seed N]   write plan.json and its seeded initial weights model.fstw
  fedstr data shards --participants N [--iid | --alpha A]
                                                example data: digits shards per participant + a holdout
  fedstr pool create --plan <plan.json> --model <weights.fstw> --reward <amount> --min-stake <amount>
                     --rounds N --round-seconds S --join-seconds J [...]
  fedstr pool cancel <pool>                     cancel before round 1 is posted; reward refunded
  fedstr pool finalize <pool>                   after the claim window: leftovers back to the creator
  fedstr pool expire <pool>                     expire a pool whose aggregator missed a deadline

\`fedstr <command> --help\` describes a command. Amounts are in the mint's units (e.g. 2.5);
--json output gives them in base units as decimal strings.
Exit status: 0 ok, 1 refused or failed, 2 usage mistake.

${COMMON_HELP}`;

async function dispatch(argv: string[], out: Output): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    out.result({ help: HELP }, HELP);
    return;
  }
  const own = <T>(table: Record<string, T>, key: string | undefined) =>
    key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
  const group = own(GROUPS, name);
  if (group !== undefined) {
    const [sub, ...args] = rest;
    const load = own(group, sub);
    if (load === undefined) {
      if (sub === "--help" || sub === "-h") return out.result({ help: HELP }, HELP);
      if (sub === undefined)
        throw new UsageError(`fedstr ${name} needs a subcommand: ${Object.keys(group).join(", ")}`);
      throw new UsageError(
        `unknown ${name} subcommand ${JSON.stringify(sub)} (expected ${Object.keys(group).join(", ")})`,
      );
    }
    return (await load()).main(args, out);
  }
  const load = own(COMMANDS, name);
  if (load === undefined)
    throw new UsageError(
      `unknown command ${JSON.stringify(name)} (expected ${[...Object.keys(COMMANDS), ...Object.keys(GROUPS)].join(", ")})`,
    );
  return (await load()).main(rest, out);
}

await runCommand(process.argv.slice(2), dispatch);
// Relay sockets, RPC keep-alive and tfjs can keep the event loop alive after the work is done.
process.exit(process.exitCode ?? 0);
