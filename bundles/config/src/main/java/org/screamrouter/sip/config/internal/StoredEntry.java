package org.screamrouter.sip.config.internal;

import org.yaml.snakeyaml.nodes.Node;

/**
 * One item of {@code sinks:} or {@code sources:} as the document keeps it between changes: the text the dump writes
 * for it plus the keys it is indexed by ({@code config_id}, an old {@code uuid} key, {@code name}). Its node tree is
 * made from the text only while a change works on it ({@link ConfigDocument} turns it back into text when the change
 * is done): a tree costs about 1.6 KB an entry, the text a few hundred bytes.
 *
 * <p>A pinned item keeps its node for good and has no text: an item that is no entry (a scalar, a model without
 * fields), or an entry with a node that is also elsewhere in the document (an anchor or alias), which only a dump of
 * the whole tree writes right.
 */
final class StoredEntry {
    private String text;
    private Node node;
    private final boolean pinned;
    private final boolean entry;
    private String configId;
    private String uuidKey;
    private String name;
    private boolean removed;
    /** A change set something in the open node: its text is made again when it settles. */
    private boolean changed;

    private StoredEntry(String text, Node node, boolean pinned, boolean entry) {
        this.text = text;
        this.node = node;
        this.pinned = pinned;
        this.entry = entry;
    }

    /** An entry kept as text, with its keys read from its node. */
    static StoredEntry text(String text, EntryNode parsed) {
        StoredEntry e = new StoredEntry(text, null, false, true);
        e.readKeys(parsed);
        return e;
    }

    /** An item kept as its node ({@code parsed}: its entry, {@code null} for an item that is no entry). */
    static StoredEntry pinned(Node node, EntryNode parsed) {
        StoredEntry e = new StoredEntry(null, node, true, parsed != null);
        if (parsed != null) {
            e.readKeys(parsed);
        }
        return e;
    }

    private void readKeys(EntryNode parsed) {
        configId = parsed.text("config_id");
        uuidKey = parsed.text("uuid");
        name = parsed.text("name");
    }

    /** The text the dump writes ({@code null} for a pinned item); while a change works on the node, the text before it. */
    String text() { return text; }

    /** The node while a change works on it or for good when pinned, else {@code null}. */
    Node node() { return node; }

    boolean pinned() { return pinned; }

    /** Whether the item is an entry (indexed, changed by devices); a pinned item may be none. */
    boolean entry() { return entry; }

    /** A change is about to work on the entry: it is held as a node until {@link #settle}. */
    void open(Node parsed) {
        node = parsed;
    }

    /** The open node was changed. */
    void changed() {
        changed = true;
    }

    /** Whether the open node was changed since it was opened. */
    boolean isChanged() {
        return changed;
    }

    /**
     * The change is done: the entry is text again, {@code text} if its node was changed, else the text it had (an
     * entry a change only looked at, a keep-alive, is not written again). Pinned items keep their node.
     */
    void settle(String text) {
        if (!pinned) {
            if (changed) {
                this.text = text;
            }
            node = null;
        }
        changed = false;
    }

    String configId() { return configId; }

    String uuidKey() { return uuidKey; }

    String name() { return name; }

    void configId(String configId) { this.configId = configId; }

    void uuidKey(String uuidKey) { this.uuidKey = uuidKey; }

    boolean removed() { return removed; }

    void remove() { removed = true; }

    @Override
    public String toString() {
        return name == null ? "(unnamed)" : name;
    }
}
