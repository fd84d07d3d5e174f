package org.screamrouter.sip.sdp.internal;

import java.util.List;

/** An append-only buffer that becomes a {@link FrozenList} without copying. */
final class Growable<E> {

    private Object[] elements;
    private int size;

    Growable(int capacity) {
        elements = new Object[capacity];
    }

    void add(E e) {
        if (size == elements.length) {
            elements = java.util.Arrays.copyOf(elements, size * 2 + 4);
        }
        elements[size++] = e;
    }

    int size() {
        return size;
    }

    List<E> freeze() {
        return size == 0 ? List.of() : new FrozenList<>(elements, size);
    }

    /** Like {@link #freeze()}, the list also carrying the text its description can be written back as. */
    List<E> freeze(SourceText source) {
        return new FrozenList<>(elements, size, source);
    }
}
