package org.screamrouter.sip.config.internal;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The read-only views of config.yaml's entries that the service hands out ({@code sinks()}, an entry by device), made
 * from the entries' texts when an entry is read: a view holds a reference to each text (immutable; a change makes the
 * entry a new one) and no map per entry. Reading an entry parses its text (tens of microseconds); the views are read
 * seldom (the web page, ScreamRouter's API pushes), the file written often. Any thread may read them.
 */
final class EntryViews {
    private EntryViews() {}

    /**
     * The plain values of an entry ({@code data}: its text, a node, or values made already), with the device's
     * {@code uuid} when it is a device's; unmodifiable.
     */
    static Map<String, Object> values(EntryCodec codec, Object data, String device) {
        if (data instanceof Map<?, ?> made) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) made;
            return m;
        }
        Node node = data instanceof String text ? codec.parse(text) : (Node) data;
        EntryNode e = EntryNode.of(node);
        Map<String, Object> copy = e == null ? null : e.values();
        if (copy == null) {
            copy = new LinkedHashMap<>();
            if (NodeView.of(e == null ? node : e.node()) instanceof Map<?, ?> fields) {
                for (Map.Entry<?, ?> f : fields.entrySet()) {
                    copy.put(String.valueOf(f.getKey()), f.getValue());
                }
            }
        }
        if (device != null) {
            copy.putIfAbsent("uuid", device);
        }
        return Collections.unmodifiableMap(copy);
    }

    /** Entries in file order, and (sinks) their lookup by name, uuid and config_id. */
    static final class ListView extends AbstractList<Map<String, Object>> {
        private final EntryCodec codec;
        private final Object[] data;
        private final String[] devices;
        private final SinkLookup lookup;

        ListView(EntryCodec codec, Object[] data, String[] devices, SinkLookup lookup) {
            this.codec = codec;
            this.data = data;
            this.devices = devices;
            this.lookup = lookup;
        }

        /** The sink a call's target names ({@code ConfigurationManager.sinkEntry}), parsing only the entries it finds. */
        java.util.Optional<org.screamrouter.sip.config.SinkEntry> sinkEntry(String target) {
            return lookup.find(target, i -> org.screamrouter.sip.config.SinkEntry.of(get(i)));
        }

        @Override
        public Map<String, Object> get(int i) {
            return EntryViews.values(codec, data[i], devices[i]);
        }

        @Override
        public int size() {
            return data.length;
        }
    }

    /** Entries by device uuid, ignoring case. */
    static final class MapView extends AbstractMap<String, Map<String, Object>> {
        private final EntryCodec codec;
        private final NavigableMap<String, Object> data;

        MapView(EntryCodec codec, NavigableMap<String, Object> data) {
            this.codec = codec;
            this.data = data;
        }

        @Override
        public Map<String, Object> get(Object key) {
            if (!(key instanceof String uuid)) {
                return null;
            }
            Map.Entry<String, Object> e = data.ceilingEntry(uuid);
            return e == null || !e.getKey().equalsIgnoreCase(uuid) ? null : EntryViews.values(codec, e.getValue(), e.getKey());
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String && data.containsKey(key);
        }

        @Override
        public int size() {
            return data.size();
        }

        @Override
        public Set<Map.Entry<String, Map<String, Object>>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<String, Map<String, Object>>> iterator() {
                    Iterator<Map.Entry<String, Object>> it = data.entrySet().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Map.Entry<String, Map<String, Object>> next() {
                            Map.Entry<String, Object> e = it.next();
                            return new LazyEntry(codec, e.getKey(), e.getValue());
                        }
                    };
                }

                @Override
                public int size() {
                    return data.size();
                }
            };
        }
    }

    /** A map entry whose value is read when asked for. */
    private record LazyEntry(EntryCodec codec, String key, Object data) implements Map.Entry<String, Map<String, Object>> {
        @Override
        public String getKey() {
            return key;
        }

        @Override
        public Map<String, Object> getValue() {
            return EntryViews.values(codec, data, key);
        }

        @Override
        public Map<String, Object> setValue(Map<String, Object> value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && getValue().equals(e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ getValue().hashCode();
        }
    }
}
