package org.screamrouter.sip.config.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A device's owned fields, immutable, in the order they were given, in one array. The component keeps the newest
 * change of every device (for ScreamRouter's API), and a {@code LinkedHashMap} of its half a dozen fields cost about
 * 450 bytes a device (an entry object per field and a table), this about 90. Lookups scan the few keys.
 */
final class OwnedFields extends AbstractMap<String, Object> {
    /** Keys at even, values at odd indexes. */
    private final Object[] keysAndValues;

    private OwnedFields(Object[] keysAndValues) {
        this.keysAndValues = keysAndValues;
    }

    static Map<String, Object> copyOf(Map<String, Object> fields) {
        if (fields instanceof OwnedFields same) {
            return same;
        }
        Object[] kv = new Object[fields.size() * 2];
        int i = 0;
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            kv[i++] = java.util.Objects.requireNonNull(f.getKey(), "a field without a name");
            kv[i++] = f.getValue();
        }
        return new OwnedFields(kv);
    }

    @Override
    public Object get(Object key) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i].equals(key)) {
                return keysAndValues[i + 1];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i].equals(key)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int size() {
        return keysAndValues.length / 2;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int at;

                    @Override
                    public boolean hasNext() {
                        return at < keysAndValues.length;
                    }

                    @Override
                    public Map.Entry<String, Object> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, Object> e = new SimpleImmutableEntry<>((String) keysAndValues[at], keysAndValues[at + 1]);
                        at += 2;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return keysAndValues.length / 2;
            }
        };
    }
}
