package org.screamrouter.sip.config.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.Construct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Plain Java values (maps, lists, strings, numbers, booleans) for nodes of config.yaml, for comparisons and for the
 * read-only views the service hands out. Nothing is instantiated from a tag: a pickled Python object
 * ({@code !!python/object:...}, a pydantic model) reads as its {@code __dict__} (its fields), an
 * {@code ipaddress.IPv4Address}/{@code IPv6Address} as its address text, and any other tag that YAML itself does not
 * define as the plain mapping, list or string under it. One instance per conversion (it caches per node).
 */
final class NodeView extends SafeConstructor {
    private final Construct python = new PythonAsData();

    NodeView() {
        super(new LoaderOptions());
    }

    /** The value of one node. */
    static Object of(Node node) {
        return node == null ? null : new NodeView().constructObject(node);
    }

    @Override
    protected Construct getConstructor(Node node) {
        if (yamlConstructors.containsKey(node.getTag())) {
            return super.getConstructor(node);
        }
        return python; // a Python tag or any other tag YAML does not define: read as data
    }

    private final class PythonAsData extends AbstractConstruct {
        @Override
        public Object construct(Node node) {
            String tag = node.getTag().getValue();
            if (node instanceof MappingNode m) {
                if (tag.startsWith(YamlNodes.PYTHON_OBJECT) && YamlNodes.get(m, "__dict__") != null) {
                    return constructObject(YamlNodes.get(m, "__dict__"));
                }
                Map<Object, Object> out = new LinkedHashMap<>();
                for (NodeTuple t : m.getValue()) {
                    out.put(constructObject(t.getKeyNode()), constructObject(t.getValueNode()));
                }
                return out;
            }
            if (node instanceof SequenceNode s) {
                List<Object> items = new ArrayList<>();
                for (Node item : s.getValue()) {
                    items.add(constructObject(item));
                }
                if (tag.startsWith(YamlNodes.PYTHON_APPLY + "ipaddress.") && items.size() == 1) {
                    return IpAddresses.fromPythonArgument(tag, items.get(0));
                }
                return items;
            }
            return ((ScalarNode) node).getValue();
        }
    }
}
