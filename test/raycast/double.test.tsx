/**
 * Tests of the @raycast/api double itself, each with a tiny command written here. They are also the
 * examples to copy: one per kind of screen and per @raycast/utils hook the extension relies on.
 */
import {
  Action,
  ActionPanel,
  Alert,
  Cache,
  Clipboard,
  Color,
  confirmAlert,
  Detail,
  environment,
  Form,
  getPreferenceValues,
  Icon,
  Keyboard,
  launchCommand,
  LaunchType,
  List,
  type LaunchProps,
  LocalStorage,
  open,
  showHUD,
  showToast,
  Toast,
  trash,
  updateCommandMetadata,
  useNavigation,
} from "@raycast/api";
import { FormValidation, useCachedPromise, useForm, usePromise } from "@raycast/utils";
import { describe, expect, it, vi } from "vitest";
import {
  answerNextAlert,
  launchProps,
  raycast,
  render,
  runNoView,
  setClipboardText,
  setEnvironment,
  setPreferences,
  takeProblems,
} from "./harness";

const deferred = <T,>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/* ------------------------------------------------------------------ a form with useForm */

interface KeyValues {
  name: string;
  kind: string;
  file: string[];
  remember: boolean;
  note: string;
  secret: string;
}

function KeyForm(props: { onSubmit: (values: KeyValues) => void }) {
  const { handleSubmit, itemProps, values, setValue, setValidationError } = useForm<KeyValues>({
    initialValues: { name: "", file: [], remember: true },
    validation: {
      name: FormValidation.Required,
      file: (value) => (value?.length ? undefined : "Choose a file"),
      secret: (value): string | undefined => (values.kind === "team" && !value ? "Team keys need a secret" : undefined),
    },
    onSubmit(submitted) {
      if (submitted.name === "taken") {
        setValidationError("name", "That name is taken");
        return false;
      }
      props.onSubmit(submitted);
    },
  });
  return (
    <Form
      navigationTitle="Add Key"
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Add Key" icon={Icon.Key} onSubmit={handleSubmit} />
          <Action title="Fill Example" onAction={() => setValue("name", "Example")} />
        </ActionPanel>
      }
    >
      <Form.Description text="Keys stay in the Keychain." />
      <Form.TextField {...itemProps.name} title="Name" placeholder="My key" info="Shown in lists" />
      <Form.Dropdown {...itemProps.kind} title="Kind">
        <>
          <Form.Dropdown.Item value="team" title="Team" />
          <Form.Dropdown.Item value="individual" title="Individual" />
        </>
      </Form.Dropdown>
      {values.kind === "team" ? <Form.TextField {...itemProps.secret} title="Secret" /> : null}
      <Form.FilePicker {...itemProps.file} title="File" allowMultipleSelection={false} />
      <Form.Separator />
      <Form.Checkbox {...itemProps.remember} label="Remember" />
      <Form.TextField id="note" title="Note" defaultValue="none" />
    </Form>
  );
}

describe("Form and useForm", () => {
  it("shows fields in order, with a Dropdown taking its first item as Raycast does", async () => {
    const screen = await render(<KeyForm onSubmit={vi.fn()} />);
    expect(screen.view?.type).toBe("Form");
    expect(screen.navigationTitle).toBe("Add Key");
    expect(screen.form.fieldIds()).toEqual(["name", "kind", "secret", "file", "remember", "note"]);
    expect(screen.form.field("kind")).toMatchObject({
      kind: "Dropdown",
      value: "team",
      options: [
        { value: "team", title: "Team" },
        { value: "individual", title: "Individual" },
      ],
    });
    expect(screen.form.field("name")).toMatchObject({ title: "Name", info: "Shown in lists", placeholder: "My key" });
    expect(screen.form.values()).toEqual({
      name: "",
      kind: "team",
      secret: "",
      file: [],
      remember: true,
      note: "none",
    });
    expect(screen.text()).toContain("Keys stay in the Keychain.");
    expect(screen.actions().map((a) => [a.title, a.kind])).toEqual([
      ["Add Key", "Action.SubmitForm"],
      ["Fill Example", "Action"],
    ]);
  });

  it("hides and shows fields as values change", async () => {
    const screen = await render(<KeyForm onSubmit={vi.fn()} />);
    await screen.form.setValue("kind", "individual");
    expect(screen.form.fieldIds()).not.toContain("secret");
    await screen.form.setValue("kind", "team");
    expect(screen.form.fieldIds()).toContain("secret");
  });

  it("validates on submit and on blur, focuses the first bad field, clears errors as the user fixes them", async () => {
    const onSubmit = vi.fn();
    const screen = await render(<KeyForm onSubmit={onSubmit} />);
    await screen.runAction("Add Key");
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.form.field("name").error).toBe("The item is required");
    expect(screen.form.field("file").error).toBe("Choose a file");
    expect(screen.form.field("secret").error).toBe("Team keys need a secret");
    expect(raycast.focused).toEqual(["name"]);
    expect(screen.text()).toContain("Choose a file");

    await screen.form.setValue("name", "Deploy");
    expect(screen.form.field("name").error).toBeUndefined();

    await screen.form.setValue("note", "typed");
    expect(screen.form.values().note).toBe("typed");

    await screen.form.setValue("secret", "");
    await screen.form.blur("secret");
    expect(screen.form.field("secret").error).toBe("Team keys need a secret");
  });

  it("submits Raycast's values (FilePicker as string[])", async () => {
    const onSubmit = vi.fn();
    const screen = await render(<KeyForm onSubmit={onSubmit} />);
    await screen.runAction("Fill Example");
    await screen.form.setValue("file", "/tmp/AuthKey_ABC.p8");
    await screen.form.setValue("secret", "s3cret");
    await screen.form.setValue("remember", false);
    await screen.runAction("Add Key");
    expect(onSubmit).toHaveBeenCalledWith({
      name: "Example",
      kind: "team",
      secret: "s3cret",
      file: ["/tmp/AuthKey_ABC.p8"],
      remember: false,
      note: "none",
    });
  });

  it("shows an error set from onSubmit with setValidationError", async () => {
    const screen = await render(<KeyForm onSubmit={vi.fn()} />);
    await screen.form.setValue("name", "taken");
    await screen.form.setValue("file", ["/a.p8"]);
    await screen.form.setValue("secret", "x");
    await screen.runAction("Add Key");
    expect(screen.form.field("name").error).toBe("That name is taken");
  });

  it("refuses values a user could not choose", async () => {
    const screen = await render(<KeyForm onSubmit={vi.fn()} />);
    await expect(screen.form.setValue("kind", "other")).rejects.toThrow(/items are "team", "individual"/);
    await expect(screen.form.setValue("file", ["/a", "/b"])).rejects.toThrow(/allowMultipleSelection/);
    await expect(screen.form.setValue("remember", "yes")).rejects.toThrow(/true or false/);
    await expect(screen.form.setValue("missing", "x")).rejects.toThrow(/No form field "missing"/);
    await expect(screen.runAction("Nope")).rejects.toThrow(/Actions: "Add Key", "Fill Example"/);
  });

  it("keeps uncontrolled fields' own state, calling onChange", async () => {
    const changes: unknown[] = [];
    function Plain() {
      return (
        <Form>
          <Form.TextField id="a" defaultValue="x" onChange={(v) => changes.push(v)} />
          <Form.Checkbox id="b" label="B" />
          <Form.Dropdown id="c" defaultValue="2">
            <Form.Dropdown.Item value="1" title="One" />
            <Form.Dropdown.Item value="2" title="Two" />
          </Form.Dropdown>
        </Form>
      );
    }
    const screen = await render(<Plain />);
    expect(screen.form.values()).toEqual({ a: "x", b: false, c: "2" });
    await screen.form.setValue("a", "y");
    await screen.form.setValue("b", true);
    expect(screen.form.values()).toEqual({ a: "y", b: true, c: "2" });
    expect(changes).toEqual(["y"]);
  });
});

/* ------------------------------------------------------------------ a list with useCachedPromise */

interface Key {
  id: string;
  name: string;
}

const backend = {
  keys: [] as Key[],
  calls: 0,
  async list(): Promise<Key[]> {
    backend.calls += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return [...backend.keys];
  },
};

function KeyDetail(props: { keyItem: Key }) {
  const { pop } = useNavigation();
  return (
    <Detail
      navigationTitle={props.keyItem.name}
      markdown={`# ${props.keyItem.name}`}
      metadata={
        <Detail.Metadata>
          <Detail.Metadata.Label title="Key ID" text={props.keyItem.id} />
          <Detail.Metadata.Label
            title="Status"
            text="Valid"
            icon={{ source: Icon.CheckCircle, tintColor: Color.Green }}
          />
          <Detail.Metadata.Separator />
          <Detail.Metadata.TagList title="Scopes">
            <Detail.Metadata.TagList.Item text="Read" color={Color.Blue} />
            <Detail.Metadata.TagList.Item text="Write" />
          </Detail.Metadata.TagList>
        </Detail.Metadata>
      }
      actions={
        <ActionPanel>
          <Action title="Back" onAction={pop} />
          <Action.CopyToClipboard title="Copy Key ID" content={props.keyItem.id} concealed />
        </ActionPanel>
      }
    />
  );
}

function KeyList() {
  const { data, isLoading, mutate, revalidate } = useCachedPromise(() => backend.list(), [], {
    initialData: [] as Key[],
  });
  async function remove(key: Key) {
    const confirmed = await confirmAlert({
      title: `Delete ${key.name}?`,
      message: "This cannot be undone.",
      primaryAction: { title: "Delete", style: Alert.ActionStyle.Destructive },
    });
    if (!confirmed) return;
    await mutate(
      (async () => {
        backend.keys = backend.keys.filter((k) => k.id !== key.id);
      })(),
      { optimisticUpdate: (keys) => keys.filter((k) => k.id !== key.id) },
    );
    await showToast({ style: Toast.Style.Success, title: "Deleted", message: key.name });
  }
  return (
    <List isLoading={isLoading} navigationTitle="Keys">
      <List.EmptyView
        title="No Keys"
        description="Add one to start."
        actions={
          <ActionPanel>
            <Action title="Add Key" onAction={() => launchCommand({ name: "add", type: LaunchType.UserInitiated })} />
          </ActionPanel>
        }
      />
      {data.map((key) => (
        <List.Item
          key={key.id}
          title={key.name}
          subtitle={key.id}
          keywords={[key.id]}
          accessories={[{ text: "valid" }, { tag: { value: "team", color: Color.Orange }, tooltip: "A team key" }]}
          actions={
            <ActionPanel>
              <Action.Push title="Show Details" target={<KeyDetail keyItem={key} />} />
              <ActionPanel.Section title="Danger">
                <Action
                  title="Delete Key"
                  style={Action.Style.Destructive}
                  shortcut={Keyboard.Shortcut.Common.Remove}
                  onAction={() => remove(key)}
                />
              </ActionPanel.Section>
              <Action title="Reload" shortcut={Keyboard.Shortcut.Common.Refresh} onAction={revalidate} />
            </ActionPanel>
          }
        />
      ))}
    </List>
  );
}

describe("List with useCachedPromise, push, confirmAlert", () => {
  const seed = () => {
    backend.keys = [
      { id: "K1", name: "Deploy" },
      { id: "K2", name: "Release" },
    ];
    backend.calls = 0;
  };

  it("loads, lists, flattens actions (sections, styles, shortcuts)", async () => {
    seed();
    const screen = await render(<KeyList />);
    await screen.waitFor(() => !screen.isLoading);
    expect(screen.items()).toMatchObject([
      { title: "Deploy", subtitle: "K1", keywords: ["K1"], accessories: ["valid", "team"] },
      { title: "Release", subtitle: "K2", keywords: ["K2"] },
    ]);
    expect(screen.text()).toBe(["Keys", "Deploy", "K1", "valid", "team", "Release", "K2", "valid", "team"].join("\n"));
    expect(screen.actions()).toMatchObject([
      { title: "Show Details", kind: "Action.Push" },
      { title: "Delete Key", section: "Danger", style: "destructive", shortcut: Keyboard.Shortcut.Common.Remove },
      { title: "Reload", shortcut: Keyboard.Shortcut.Common.Refresh },
    ]);
    expect(screen.actions()[2].section).toBeUndefined();
  });

  it("pushes a detail with metadata and pops back to the list with its state", async () => {
    seed();
    const screen = await render(<KeyList />);
    await screen.waitForText("Release");
    await screen.select("Release");
    expect(screen.selectedItem()?.title).toBe("Release");
    await screen.runAction("Show Details");
    expect(screen.depth).toBe(2);
    expect(screen.view?.type).toBe("Detail");
    expect(screen.markdown).toBe("# Release");
    expect(screen.metadata()).toEqual({ "Key ID": "K2", Status: "Valid", Scopes: "Read, Write" });
    expect(screen.text()).toContain("Key ID\nK2");

    await screen.runAction("Copy Key ID");
    expect(raycast.clipboard).toEqual([{ text: "K2", concealed: true, options: { concealed: true } }]);
    expect(raycast.huds).toEqual(["Copied to Clipboard"]);

    await screen.runAction("Back");
    expect(screen.depth).toBe(1);
    expect(screen.selectedItem()?.title).toBe("Release");
  });

  it("asks before deleting and updates optimistically; a cancelled alert changes nothing", async () => {
    seed();
    const screen = await render(<KeyList />);
    await screen.waitFor(() => screen.items().length === 2);

    answerNextAlert(false);
    await screen.runAction("Delete Key");
    expect(screen.items()).toHaveLength(2);

    answerNextAlert(true);
    await screen.runAction("Delete Key");
    await screen.waitFor(() => expect(screen.items().map((i) => i.title)).toEqual(["Release"]));
    const alert = {
      title: "Delete Deploy?",
      message: "This cannot be undone.",
      primaryAction: { title: "Delete", style: "destructive" },
    };
    expect(raycast.alerts).toEqual([
      { ...alert, answer: false },
      { ...alert, answer: true },
    ]);
    expect(raycast.toast).toMatchObject({ title: "Deleted", message: "Deploy", style: Toast.Style.Success });
  });

  it("shows the empty view and its actions when there are no items", async () => {
    seed();
    backend.keys = [];
    const screen = await render(<KeyList />);
    await screen.waitFor(() => !screen.isLoading);
    expect(screen.items()).toEqual([]);
    expect(screen.emptyView()).toMatchObject({ title: "No Keys", description: "Add one to start." });
    expect(screen.text()).toBe("Keys\nNo Keys\nAdd one to start.");
    await expect(screen.select("Deploy")).rejects.toThrow(/No item "Deploy". Items: \(none\)/);
    await screen.runAction("Add Key");
    expect(raycast.launches).toEqual([{ name: "add", type: "userInitiated" }]);
  });

  it("shows no empty view while there are items", async () => {
    seed();
    const screen = await render(<KeyList />);
    await screen.waitFor(() => screen.items().length === 2);
    expect(screen.emptyView()).toBeUndefined();
    expect(screen.text()).not.toContain("No Keys");
    expect(screen.actionTitles()).not.toContain("Add Key");
  });

  it("revalidates from an action", async () => {
    seed();
    const screen = await render(<KeyList />);
    await screen.waitFor(() => !screen.isLoading);
    const before = backend.calls;
    backend.keys.push({ id: "K3", name: "Nightly" });
    await screen.runAction("Reload");
    await screen.waitFor(() => screen.items().length === 3);
    expect(backend.calls).toBe(before + 1);
  });

  it("shows cached data at once on the next render (useCachedPromise's cache is the double's Cache)", async () => {
    seed();
    const first = await render(<KeyList />);
    await first.waitFor(() => first.items().length === 2);
    await first.unmount();
    const second = await render(<KeyList />);
    expect(second.items()).toHaveLength(2);
  });

  it("fails loudly when a command asks for confirmation and the test queued no answer", async () => {
    seed();
    const screen = await render(<KeyList />);
    await screen.waitFor(() => screen.items().length === 2);
    await expect(screen.runAction("Delete Key")).rejects.toThrow(/queued no answer/);
    // The setup file would fail the test with this even if the command had caught the error.
    expect(takeProblems()).toEqual([expect.stringMatching(/confirmAlert\("Delete Deploy\?"\)/)]);
  });
});

/* ------------------------------------------------------------------ usePromise, errors, failure toasts */

describe("usePromise and failure toasts", () => {
  it("lets a test hold a promise open, then see data; errors become a failure toast with Copy Logs", async () => {
    const gate = deferred<string>();
    function Loader() {
      const { data, error, isLoading } = usePromise(() => gate.promise);
      return <Detail isLoading={isLoading} markdown={error ? `Error: ${error.message}` : (data ?? "")} />;
    }
    const screen = await render(<Loader />);
    expect(screen.isLoading).toBe(true);
    gate.resolve("ready");
    await screen.waitForText("ready");
    expect(screen.isLoading).toBe(false);

    let attempts = 0;
    function Failing() {
      const { data, error } = usePromise(async () => {
        attempts += 1;
        if (attempts === 1) throw new Error("Apple said no");
        return "second time lucky";
      });
      return <Detail markdown={error?.message ?? data ?? ""} />;
    }
    const other = await render(<Failing />);
    await other.waitForText("Apple said no");
    expect(raycast.toast).toMatchObject({
      style: Toast.Style.Failure,
      title: "Failed to fetch latest data",
      message: "Apple said no",
      primaryAction: "Retry",
      secondaryAction: "Copy Logs",
    });
    await raycast.toast!.runSecondaryAction();
    expect(raycast.toast!.visible).toBe(false);
    expect(raycast.clipboard[0].text).toContain("Apple said no");
    await raycast.toast!.runPrimaryAction();
    await other.waitForText("second time lucky");
  });

  it("shows no failure toast when the command runs in the background", async () => {
    setEnvironment({ launchType: LaunchType.Background });
    function Failing() {
      const { error } = usePromise(async () => {
        throw new Error("Apple said no");
      });
      return <Detail markdown={error?.message ?? ""} />;
    }
    const screen = await render(<Failing />);
    await screen.waitForText("Apple said no");
    expect(raycast.toasts).toEqual([]);
  });
});

/* ------------------------------------------------------------------ toasts in steps */

describe("toasts", () => {
  it("records every step of one toast", async () => {
    const retry = vi.fn();
    await runNoView(async () => {
      const toast = await showToast({ style: Toast.Style.Animated, title: "Checking key" });
      toast.message = "Asking Apple";
      toast.style = Toast.Style.Failure;
      toast.title = "Key rejected";
      toast.primaryAction = { title: "Retry", onAction: retry };
      await toast.hide();
    });
    const toast = raycast.toast!;
    expect(toast.history).toEqual([
      { style: "ANIMATED", title: "Checking key" },
      { style: "ANIMATED", title: "Checking key", message: "Asking Apple" },
      { style: "FAILURE", title: "Checking key", message: "Asking Apple" },
      { style: "FAILURE", title: "Key rejected", message: "Asking Apple" },
      { style: "FAILURE", title: "Key rejected", message: "Asking Apple", primaryAction: "Retry" },
    ]);
    expect(toast.visible).toBe(false);
    await toast.runPrimaryAction();
    expect(retry).toHaveBeenCalledOnce();
  });

  it("a new toast replaces the visible one; a toast shown again after hide() is visible again", async () => {
    const first = await showToast({ title: "One" });
    await first.hide();
    await first.show();
    expect(raycast.toast?.visible).toBe(true);
    await showToast({ style: Toast.Style.Failure, title: "Two", message: "why" });
    expect(raycast.toasts.map((t) => [t.title, t.style, t.visible])).toEqual([
      ["One", "SUCCESS", false],
      ["Two", "FAILURE", true],
    ]);
    expect(raycast.toast?.message).toBe("why");
  });
});

/* ------------------------------------------------------------------ storage and cache */

describe("storage and cache", () => {
  it("LocalStorage: set, get, remove; raycast.localStorage is a snapshot", async () => {
    await LocalStorage.setItem("a", 1);
    await LocalStorage.setItem("b", "two");
    expect(await LocalStorage.getItem("a")).toBe(1);
    expect(raycast.localStorage).toEqual({ a: 1, b: "two" });
    await LocalStorage.removeItem("a");
    expect(await LocalStorage.getItem("a")).toBeUndefined();
    expect(raycast.localStorage).toEqual({ b: "two" });
  });

  it("Cache: get/set/subscribe, data shared by namespace, subscribers per instance", () => {
    const cache = new Cache({ namespace: "keys" });
    const seen: [string | undefined, string | undefined][] = [];
    const unsubscribe = cache.subscribe((key, data) => seen.push([key, data]));
    cache.set("k", "v");
    expect(new Cache({ namespace: "keys" }).get("k")).toBe("v");
    expect(new Cache().get("k")).toBeUndefined();
    new Cache({ namespace: "keys" }).set("k2", "v2");
    unsubscribe();
    cache.set("k3", "v3");
    expect(seen).toEqual([["k", "v"]]);
    expect(cache.get("k3")).toBe("v3");
  });

  it("starts each test from nothing (reset between tests), useCachedPromise's cache included", async () => {
    expect(raycast.localStorage).toEqual({});
    expect(new Cache({ namespace: "keys" }).get("k")).toBeUndefined();
    expect(raycast.toasts).toEqual([]);
    // KeyList's data was cached by the tests above; with its backend never answering, it must show none.
    const list = vi.spyOn(backend, "list").mockReturnValue(new Promise<Key[]>(() => undefined));
    try {
      const screen = await render(<KeyList />);
      expect(screen.isLoading).toBe(true);
      expect(screen.items()).toEqual([]);
    } finally {
      list.mockRestore();
    }
  });
});

/* ------------------------------------------------------------------ clipboard, system, no-view */

describe("no-view commands and system functions", () => {
  it("records clipboard, HUD, open, trash, metadata; reads preferences, clipboard", async () => {
    setPreferences({ keyDirectory: "~/Keys" });
    setClipboardText("69a6de70-03db-47e3-e053-5b8c7c11a4d1");
    const result = await runNoView(async (props: LaunchProps) => {
      const prefs = getPreferenceValues<{ keyDirectory: string }>();
      const copied = await Clipboard.readText();
      await Clipboard.copy("secret", { concealed: true });
      await showHUD(`Copied from ${prefs.keyDirectory}`);
      await open("https://appstoreconnect.apple.com/access/integrations/api");
      await trash(`${prefs.keyDirectory}/AuthKey_ABC.p8`);
      await trash(["/a.p8", "/b.p8"]);
      await updateCommandMetadata({ subtitle: "1 key" });
      return { copied, launchType: props.launchType };
    });
    expect(result).toEqual({
      copied: "69a6de70-03db-47e3-e053-5b8c7c11a4d1",
      launchType: LaunchType.UserInitiated,
    });
    expect(raycast.clipboard).toEqual([{ text: "secret", concealed: true, options: { concealed: true } }]);
    expect(await Clipboard.readText()).toBe("secret");
    expect(raycast.huds).toEqual(["Copied from ~/Keys"]);
    expect(raycast.opened).toEqual(["https://appstoreconnect.apple.com/access/integrations/api"]);
    expect(raycast.trashed).toEqual(["~/Keys/AuthKey_ABC.p8", "/a.p8", "/b.p8"]);
    expect(raycast.metadata).toEqual([{ subtitle: "1 key" }]);
  });

  it("launchProps carries arguments and the environment's launch type", async () => {
    expect(launchProps({ arguments: { keyId: "ABC" } })).toEqual({
      arguments: { keyId: "ABC" },
      launchType: "userInitiated",
    });
    setEnvironment({ launchType: LaunchType.Background });
    expect(environment.launchType).toBe("background");
    expect(launchProps({ launchContext: { fromLocalStorage: true } })).toEqual({
      arguments: {},
      launchType: "background",
      launchContext: { fromLocalStorage: true },
    });
  });

  it("built-in actions have Raycast's default titles and icons, and perform and record what Raycast would", async () => {
    function Links() {
      return (
        <Detail
          markdown="links"
          actions={
            <ActionPanel>
              <Action.OpenInBrowser url="https://example.com" />
              <Action.CopyToClipboard content="K1" />
            </ActionPanel>
          }
        />
      );
    }
    const screen = await render(<Links />);
    expect(screen.actions().map((a) => [a.title, a.kind, a.icon])).toEqual([
      ["Open in Browser", "Action.OpenInBrowser", Icon.Globe],
      ["Copy to Clipboard", "Action.CopyToClipboard", Icon.Clipboard],
    ]);
    for (const title of screen.actionTitles()) await screen.runAction(title);
    expect(raycast.opened).toEqual(["https://example.com"]);
    expect(raycast.clipboard).toEqual([{ text: "K1", concealed: false }]);
    expect(raycast.huds).toEqual(["Copied to Clipboard"]);
  });

  it("a submenu is one entry of the panel; onOpen runs as it opens; its actions run as 'Submenu › Action'", async () => {
    const picked: string[] = [];
    function Menu() {
      return (
        <Detail
          markdown="menu"
          actions={
            <ActionPanel>
              <Action title="First" onAction={() => picked.push("first")} />
              <ActionPanel.Submenu title="Pick" icon={Icon.Person} onOpen={() => picked.push("opened")}>
                <Action title="First" onAction={() => picked.push("pick first")} />
                <Action title="Second" onAction={() => picked.push("pick second")} />
              </ActionPanel.Submenu>
            </ActionPanel>
          }
        />
      );
    }
    const screen = await render(<Menu />);
    expect(screen.actions().map((a) => [a.title, a.kind])).toEqual([
      ["First", "Action"],
      ["Pick", "ActionPanel.Submenu"],
    ]);
    expect(screen.submenuActions("Pick").map((a) => a.title)).toEqual(["First", "Second"]);
    await screen.runAction("Pick › Second");
    await screen.runAction("First");
    // Raycast calls onOpen each time the submenu opens: before an action in it is picked.
    expect(picked).toEqual(["opened", "pick second", "first"]);
    await screen.openSubmenu("Pick");
    expect(picked).toHaveLength(4);
    await expect(screen.runAction("Pick")).rejects.toThrow(/No action "Pick"/);
    await expect(screen.runAction("Second")).rejects.toThrow(/No action "Second"/);
  });

  it("useNavigation push and pop; Esc on the root view does nothing", async () => {
    function Level(props: { n: number }) {
      const { push, pop } = useNavigation();
      return (
        <Detail
          markdown={`Level ${props.n}`}
          actions={
            <ActionPanel>
              <Action title="Deeper" onAction={() => push(<Level n={props.n + 1} />)} />
              <Action title="Back" onAction={pop} />
            </ActionPanel>
          }
        />
      );
    }
    const screen = await render(<Level n={1} />);
    await screen.runAction("Deeper");
    await screen.runAction("Deeper");
    expect(screen.depth).toBe(3);
    expect(screen.text()).toBe("Level 3");
    await screen.pop();
    expect(screen.text()).toBe("Level 2");
    await screen.runAction("Back");
    expect(screen.depth).toBe(1);
    await screen.pop();
    expect(screen.depth).toBe(1);
    expect(screen.text()).toBe("Level 1");
  });

  it("constants: Icon, Color, Keyboard, environment", () => {
    expect(Icon.Key).toBe("Key");
    expect(Icon.Trash).toBe("Trash");
    expect(Color.Red).toBe("raycast-red");
    expect(Color.Blue).toBe("Blue");
    expect(Keyboard.Shortcut.Common.Copy).toEqual({ modifiers: ["cmd", "shift"], key: "c" });
    expect(environment).toEqual({ launchType: "userInitiated", isDevelopment: true, assetsPath: expect.any(String) });
    setEnvironment({ launchType: LaunchType.Background });
    expect(environment.launchType).toBe("background");
  });

  it("waitFor explains what is on screen when it times out", async () => {
    const screen = await render(<Detail markdown="Hello" />);
    await expect(screen.waitForText("Goodbye", { timeout: 50 })).rejects.toThrow(
      /"Goodbye" is not on screen[\s\S]*Screen:\nDetail markdown="Hello"/,
    );
    expect(environment.launchType).toBe("userInitiated"); // the test above changed it
  });
});
