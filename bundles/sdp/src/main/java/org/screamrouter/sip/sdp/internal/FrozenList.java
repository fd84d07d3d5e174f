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

    FrozenList(Object[] elements, int size) {
        this.elements = elements;
        this.size = size;
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
