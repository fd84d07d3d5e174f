package org.screamrouter.sip.sdp.internal;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An unmodifiable list over an array the parser filled, handed to the model without a copy: the
 * parser never touches the array again. {@link #freeze(List)} keeps such a list as it is and copies
 * anything else, so records stay immutable whoever builds them.
 */
public final class FrozenList<E> extends AbstractList<E> implements RandomAccess {

    private final Object[] elements;
    private final int size;
    /** The parsed text when this is the session attribute list of a description written verbatim, else null. */
    final SourceText source;

    FrozenList(Object[] elements, int size) {
        this(elements, size, null);
    }

    FrozenList(Object[] elements, int size, SourceText source) {
        this.elements = elements;
        this.size = size;
        this.source = source;
    }

    @SuppressWarnings("unchecked")
    @Override
    public E get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return (E) elements[index];
    }

    @Override
    public int size() {
        return size;
    }

    public static <E> List<E> freeze(List<E> list) {
        if (list instanceof FrozenList<E>) {
            return list;
        }
        return List.copyOf(list);
    }
}
