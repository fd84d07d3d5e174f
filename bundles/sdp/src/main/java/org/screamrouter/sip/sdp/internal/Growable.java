package org.screamrouter.sip.sdp.internal;

import java.util.List;

/**
 * An append-only buffer that becomes a {@link FrozenList} without copying. An attribute buffer may also
 * hold attributes not built yet ({@link #addLazy}): their name and where their value lies in the text.
 */
final class Growable<E> {

    private Object[] elements;
    private int size;
    /** For lazy attributes: value start (-1 for a property) and end in {@link #text}, two ints per slot. */
    private int[] spans;
    private String text;

    Growable(int capacity) {
        elements = new Object[capacity];
    }

    void add(E e) {
        if (size == elements.length) {
            grow();
        }
        elements[size++] = e;
    }

    /**
     * Adds an attribute that the list builds when it is first read: {@code name} (a shared string) and
     * the value {@code text[valueStart, valueEnd)}, or no value when {@code valueStart} is -1. Only for a
     * buffer of {@link org.screamrouter.sip.sdp.Attribute}s, all of whose lazy entries share one text.
     */
    void addLazy(String name, String text, int valueStart, int valueEnd) {
        if (size == elements.length) {
            grow();
        }
        if (spans == null) {
            spans = new int[elements.length * 2];
            this.text = text;
        }
        spans[2 * size] = valueStart;
        spans[2 * size + 1] = valueEnd;
        elements[size++] = name;
    }

    private void grow() {
        elements = java.util.Arrays.copyOf(elements, size * 2 + 4);
        if (spans != null) {
            spans = java.util.Arrays.copyOf(spans, elements.length * 2);
        }
    }

    int size() {
        return size;
    }

    List<E> freeze() {
        return size == 0 ? List.of() : new FrozenList<>(elements, size, null, text, spans);
    }

    /** Like {@link #freeze()}, the list also carrying the text its description can be written back as. */
    List<E> freeze(SourceText source) {
        return new FrozenList<>(elements, size, source, text, spans);
    }
}
