// tobira audit export — a workspace's audit log on stdout, as CSV (default) or JSON, in the same
// format as the admin page's download. Taking a copy of the log is itself audited.
import { InvalidAuditFilter, exportRecords, parseAuditDate } from '../../audit/query.ts';
import { EXPORT_FORMATS, formatExport, type ExportFormat } from '../../audit/export.ts';
import { findWorkspaceBySlug } from '../../db/workspaces.ts';
import { optionalString, requireOption, UsageError, type Command, type CommandGroup } from '../command.ts';
import { auditCompleted } from '../audit.ts';
import { withDatabase } from '../session.ts';

const NAME = 'audit export';

function parseFormat(value: string | undefined, json: boolean): ExportFormat {
  if (value !== undefined && !(EXPORT_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--format must be csv or json (got "${value}")`);
  }
  if (json && value === 'csv') throw new UsageError('--json prints JSON; leave out --format csv');
  return json ? 'json' : ((value as ExportFormat | undefined) ?? 'csv');
}

const exportLog: Command = {
  name: NAME,
  summary: "print a workspace's audit log as CSV or JSON",
  help: `audit export --workspace SLUG [--since DATE] [--format csv|json]

Prints the workspace's audit events on stdout, newest first: time (UTC), actor, action, target,
outcome, address, user agent and details. CSV has a header row (RFC 4180); cells that a
spreadsheet would run as a formula start with an apostrophe.

  --workspace SLUG  the workspace
  --since DATE      only events at or after DATE: YYYY-MM-DD (UTC) or an ISO 8601 time
  --format FORMAT   csv (default) or json; --json is the same as --format json`,
  options: {
    workspace: { type: 'string' },
    since: { type: 'string' },
    format: { type: 'string' },
  },
  async run(args, out) {
    const slug = requireOption(args, 'workspace', NAME);
    const json = args.values.json === true;
    const format = parseFormat(optionalString(args, 'format'), json);
    const sinceText = optionalString(args, 'since');
    let since: Date | undefined;
    try {
      since = sinceText === undefined ? undefined : parseAuditDate(sinceText);
    } catch (err) {
      if (err instanceof InvalidAuditFilter) throw new UsageError(`--since: ${err.message}`);
      throw err;
    }
    await withDatabase(async ({ db }) => {
      const workspace = await findWorkspaceBySlug(db, slug);
      if (!workspace) throw new UsageError(`no workspace with slug "${slug}"`);
      let rows = 0;
      const batches = async function* () {
        for await (const batch of exportRecords(db, workspace, { workspaceId: workspace.id, ...(since ? { from: since } : {}) })) {
          rows += batch.length;
          yield batch;
        }
      };
      // Written as it is read, a batch at a time: a workspace's whole log never sits in memory.
      for await (const piece of formatExport(format, batches())) await out.write(piece);
      await auditCompleted(db, {
        action: 'audit.export',
        workspaceId: workspace.id,
        targetType: 'workspace',
        targetId: workspace.id,
        details: { format, since: since?.toISOString() ?? null, rows },
      });
    });
    return { written: true };
  },
};

export const auditCommands: CommandGroup = { name: 'audit', summary: 'read the audit log', commands: [exportLog] };
