/**
 * What `asc-key ci` sets, and where: the secrets' names and values from a key record and the exports table
 * (src/lib/exports/, each row's `ci`), the target (a GitHub repository, environment or organization; a GitLab
 * project or group) checked before anything runs, and the lines a workflow needs to read what was set.
 */
import { AscKeyError } from "../errors";
import { ciGroups, ciVariables, EXPORT_TABLE, type CiSource, type ExportGroup } from "../exports";
import type { KeyKind, KeyRecord } from "../record";
import { hasUnprintable } from "../text";

export const CI_VENDORS = ["github", "gitlab"] as const;
export type CiVendor = (typeof CI_VENDORS)[number];

export function isCiVendor(name: string): name is CiVendor {
  return (CI_VENDORS as readonly string[]).includes(name);
}

/** Per vendor: its command-line tool, what the user calls it, and how that tool is installed and logged in. */
export const CI_VENDOR = {
  github: {
    tool: "gh",
    label: "GitHub",
    secrets: "GitHub Actions secrets",
    install: "brew install gh (or see cli.github.com)",
    login: "gh auth login (or set GH_TOKEN)",
  },
  gitlab: {
    tool: "glab",
    label: "GitLab",
    secrets: "GitLab CI/CD variables",
    install: "brew install glab (or see gitlab.com/gitlab-org/cli)",
    login: "glab auth login (or set GITLAB_TOKEN)",
  },
} as const satisfies Record<CiVendor, { tool: string; label: string; secrets: string; install: string; login: string }>;

/** GitHub's visibilities for an organization secret that need no list of repositories. */
export const GITHUB_VISIBILITIES = ["private", "all"] as const;
export type GithubVisibility = (typeof GITHUB_VISIBILITIES)[number];

/** Where the secrets go. Without repo, org or group: the repository gh or glab infers from the folder's git remote. */
export interface CiTarget {
  vendor: CiVendor;
  /** GitHub `owner/name` (or `host/owner/name`); GitLab `group/project` (subgroups allowed, or a host first). */
  repo?: string;
  /** GitHub: a deployment environment of the repository. */
  environment?: string;
  /** GitHub: an organization secret, with its visibility. */
  org?: string;
  visibility?: GithubVisibility;
  /** GitLab: a group variable. */
  group?: string;
  /** GitLab: the environment scope (default `*`). */
  scope?: string;
  /** GitLab: only protected branches and tags see the variables. */
  protected?: boolean;
}

/** One CI secret: its name, the group it serves, its value (secret), and whether GitLab can mask it. */
export interface CiSecret {
  name: string;
  group: ExportGroup;
  source: CiSource;
  value: string;
  maskable: boolean;
}

/** The names a key gets for these groups, without a value (a confirmation, a dry run). */
export interface CiNames {
  names: Array<{ name: string; group: ExportGroup }>;
  /** The Issuer ID names left out for an individual key. */
  leftOut: string[];
}

/** Every group `asc-key ci` can set, in table order. */
export const CI_GROUPS: readonly ExportGroup[] = ciGroups();

/** The groups chosen (all CI groups when none is), or a one-line refusal naming the choices. */
export function parseCiGroups(names: readonly string[] | undefined): ExportGroup[] {
  if (names === undefined || names.length === 0) return [...CI_GROUPS];
  const choices = CI_GROUPS.join(", ");
  const chosen: ExportGroup[] = [];
  for (const raw of names) {
    const name = raw.trim();
    const group = CI_GROUPS.find((candidate) => candidate === name);
    if (group === undefined) {
      const known = EXPORT_TABLE.some((spec) => spec.group === name);
      const shown = /^[A-Za-z][A-Za-z0-9-]{0,30}$/.test(name) ? ` "${name}"` : "";
      throw new AscKeyError(
        "ci-target-invalid",
        known
          ? `The group${shown} hands over a file, which a CI secret cannot carry; choose from ${choices}.`
          : `Unknown group${shown}; choose from ${choices}.`,
      );
    }
    if (!chosen.includes(group)) chosen.push(group);
  }
  return chosen;
}

/** GitLab masks a value only when it is one line of at least 8 of these characters (GitLab's masked-variable rules). */
export function gitlabCanMask(value: string): boolean {
  return /^[A-Za-z0-9_+=/@:.~-]{8,}$/.test(value);
}

/** The names for a key of this kind: no value is read. */
export function ciNames(kind: KeyKind, groups: readonly ExportGroup[]): CiNames {
  const names: CiNames["names"] = [];
  const leftOut: string[] = [];
  for (const spec of EXPORT_TABLE) {
    if (!groups.includes(spec.group)) continue;
    for (const variable of ciVariables(spec)) {
      if (names.some((known) => known.name === variable.name) || leftOut.includes(variable.name)) continue;
      if (variable.source === "issuer-id" && kind !== "team") leftOut.push(variable.name);
      else names.push({ name: variable.name, group: spec.group });
    }
  }
  return { names, leftOut };
}

/** The secrets to set for this key, values included (secret: never printed, never on an argv). */
export function planCiSecrets(record: KeyRecord, groups: readonly ExportGroup[]): CiSecret[] {
  const { names } = ciNames(record.kind, groups);
  return names.map(({ name, group }) => {
    const spec = EXPORT_TABLE.find((row) => row.group === group)!;
    const source = ciVariables(spec).find((variable) => variable.name === name)!.source;
    const value = ciValue(source, record);
    return { name, group, source, value, maskable: gitlabCanMask(value) };
  });
}

function ciValue(source: CiSource, record: KeyRecord): string {
  switch (source) {
    case "key-id":
      return record.keyId;
    case "issuer-id":
      // ciNames leaves these out for an individual key.
      return record.issuerId ?? "";
    case "private-key":
      return record.privateKey;
    case "private-key-base64":
      return Buffer.from(record.privateKey, "utf8").toString("base64");
    case "true":
      return "true";
  }
}

/** A name, path or scope the user typed: one line, printable, no spaces, not absurdly long. */
function word(value: string | undefined, option: string, pattern: RegExp, example: string): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "" || trimmed.length > 200 || hasUnprintable(trimmed) || !pattern.test(trimmed)) {
    throw new AscKeyError("ci-target-invalid", `${option} takes ${example}.`);
  }
  return trimmed;
}

/** The target as typed, checked for its vendor: a refusal names the option and what it takes; nothing has run. */
export function parseCiTarget(raw: CiTarget): CiTarget {
  const { vendor } = raw;
  const other = (option: string) =>
    new AscKeyError(
      "ci-target-invalid",
      `${option} is for ${vendor === "github" ? "GitLab" : "GitHub"}; ${CI_VENDOR[vendor].label} takes ${
        vendor === "github" ? "--repo, --env, --org and --visibility" : "--repo, --group, --scope and --protected"
      }.`,
    );
  const target: CiTarget = { vendor };
  if (vendor === "github") {
    if (raw.group !== undefined) throw other("--group");
    if (raw.scope !== undefined) throw other("--scope");
    if (raw.protected) throw other("--protected");
    target.repo = word(raw.repo, "--repo", /^([A-Za-z0-9.-]+\/)?[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "owner/name");
    target.environment = word(raw.environment, "--env", /^[^\s/'"`$\\]+( [^\s/'"`$\\]+)*$/, "an environment's name");
    target.org = word(raw.org, "--org", /^[A-Za-z0-9][A-Za-z0-9-]*$/, "an organization's login, e.g. acme");
    if (target.org !== undefined && (target.repo !== undefined || target.environment !== undefined)) {
      throw new AscKeyError(
        "ci-target-invalid",
        "--org sets organization secrets; drop --repo and --env (or --org for a repository's).",
      );
    }
    if (raw.visibility !== undefined) {
      if (target.org === undefined) throw new AscKeyError("ci-target-invalid", "--visibility goes with --org.");
      if (!(GITHUB_VISIBILITIES as readonly string[]).includes(raw.visibility)) {
        throw new AscKeyError(
          "ci-target-invalid",
          `--visibility takes ${GITHUB_VISIBILITIES.join(" or ")} (selected needs a list of repositories: set it on GitHub).`,
        );
      }
      target.visibility = raw.visibility;
    } else if (target.org !== undefined) {
      target.visibility = "private";
    }
    return target;
  }
  if (raw.environment !== undefined) throw other("--env");
  if (raw.org !== undefined) throw other("--org");
  if (raw.visibility !== undefined) throw other("--visibility");
  const path = /^([A-Za-z0-9.-]+\/)?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
  target.repo = word(raw.repo, "--repo", path, "group/project (subgroups allowed)");
  target.group = word(raw.group, "--group", /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, "a group's path, e.g. acme/ios");
  if (target.group !== undefined && target.repo !== undefined) {
    throw new AscKeyError(
      "ci-target-invalid",
      "Give --repo for a project's variables or --group for a group's, not both.",
    );
  }
  target.scope = word(raw.scope, "--scope", /^[^\s'"`$\\]+$/, "an environment scope, e.g. production or *");
  if (raw.protected) target.protected = true;
  return target;
}

/** Where, in words: "GitHub repository acme/app", "environment production of acme/app", "GitLab group acme". */
export function whereWords(target: CiTarget): string {
  const here = "the repository of this folder's git remote";
  if (target.vendor === "github") {
    if (target.org !== undefined)
      return `GitHub organization ${target.org} (visibility ${target.visibility ?? "private"})`;
    const repo = target.repo === undefined ? here : `GitHub repository ${target.repo}`;
    return target.environment === undefined ? repo : `environment ${target.environment} of ${repo}`;
  }
  const where =
    target.group !== undefined
      ? `GitLab group ${target.group}`
      : target.repo === undefined
        ? here
        : `GitLab project ${target.repo}`;
  const scope = target.scope !== undefined && target.scope !== "*" ? `, scope ${target.scope}` : "";
  return `${where}${scope}${target.protected ? ", protected" : ""}`;
}

/** What an individual key leaves out, and what asc needs instead; undefined for a team key. */
export function leftOutWords(leftOut: readonly string[], groups: readonly ExportGroup[]): string | undefined {
  if (leftOut.length === 0) return undefined;
  const asc = groups.includes("asc") ? "; asc also needs ASC_KEY_TYPE=individual in the job's environment" : "";
  return `An individual key has no Issuer ID: ${leftOut.join(", ")} left out${asc}.`;
}

/**
 * The lines a workflow needs to read what was set. GitHub Actions: an `env:` mapping each name to its secret (and,
 * for an individual key with asc, ASC_KEY_TYPE: individual). GitLab: the variables are in each job's environment
 * already, so only a reminder of their names (and where protected ones are seen).
 */
export function workflowLines(target: CiTarget, names: CiNames, groups: readonly ExportGroup[]): string[] {
  const individualAsc = names.leftOut.length > 0 && groups.includes("asc");
  if (target.vendor === "github") {
    return [
      "# GitHub Actions: in the job (or step) that runs the tools",
      "env:",
      ...names.names.map(({ name }) => `  ${name}: \${{ secrets.${name} }}`),
      ...(individualAsc ? ["  ASC_KEY_TYPE: individual"] : []),
    ];
  }
  const seen = target.protected ? "jobs on protected branches and tags" : "every job";
  return [
    `# GitLab CI: ${seen} has these in its environment already: ${names.names.map(({ name }) => `$${name}`).join(", ")}`,
    ...(individualAsc ? ["variables:", "  ASC_KEY_TYPE: individual"] : []),
  ];
}
