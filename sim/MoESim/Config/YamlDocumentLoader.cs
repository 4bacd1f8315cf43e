using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MoESim.Config;

/// <summary>
/// Reads a YAML file into a mapping node, remembering which file every node came from, and
/// resolves <c>extends: other.yaml</c> by deep-merging the child over its parent. Nesting deeper
/// than <see cref="GuardedYamlParser.MaxDepth"/> levels and aliases standing for more than
/// <see cref="GuardedYamlParser.MaxAliasExpandedNodes"/> nodes are located input errors.
/// </summary>
public sealed class YamlDocumentLoader
{
    private readonly Dictionary<YamlNode, string> _nodeFiles = new(ReferenceEqualityComparer.Instance);

    /// <summary>The file a node was read from (after merges, the file that set it).</summary>
    public string FileOf(YamlNode node, string fallback) =>
        _nodeFiles.TryGetValue(node, out var file) ? file : fallback;

    /// <summary>Loads <paramref name="path"/>; follows <c>extends:</c> chains up to 8 deep.</summary>
    public YamlMappingNode LoadMapping(string path) => LoadMapping(path, depth: 0);

    private YamlMappingNode LoadMapping(string path, int depth)
    {
        var display = DisplayPath(path);
        if (!File.Exists(path))
            throw new InputException(display, "", "file not found");
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            var scanner = new Scanner(reader);
            try
            {
                stream.Load(new GuardedYamlParser(new Parser(scanner), display));
            }
            catch (YamlException ex)
            {
                var problem = (ex.InnerException?.Message ?? ex.Message).Replace(Environment.NewLine, " ");
                throw new InputException(new InputError(display, (int)ex.Start.Line, (int)ex.Start.Column, "", $"malformed YAML: {StripMark(problem)}"));
            }
            catch (InvalidOperationException)
            {
                // YamlDotNet's scanner throws this, not a YamlException, for some truncated input
                // (e.g. an unclosed "[4096" flow list at the end of a file); report where it stopped.
                var at = scanner.CurrentPosition;
                throw new InputException(new InputError(display, (int)at.Line, (int)at.Column, "", "malformed YAML: unexpected end of input (an unclosed [ or {?)"));
            }
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InputException(display, "", "expected a YAML mapping (key: value lines) at the top level");
        Tag(root, display);

        var extendsKey = new YamlScalarNode("extends");
        if (!root.Children.TryGetValue(extendsKey, out var parentNode))
            return root;
        if (parentNode is not YamlScalarNode { Value: { Length: > 0 } parentName })
            throw new InputException(new InputError(display, (int)parentNode.Start.Line, (int)parentNode.Start.Column, "extends", "expected a file name"));
        if (depth >= 8)
            throw new InputException(new InputError(display, (int)parentNode.Start.Line, (int)parentNode.Start.Column, "extends", "extends chain is deeper than 8 (a cycle?)"));
        var parentPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", parentName);
        if (!parentName.EndsWith(".yaml", StringComparison.Ordinal) && !File.Exists(parentPath))
            parentPath += ".yaml";
        if (!File.Exists(parentPath))
            throw new InputException(new InputError(display, (int)parentNode.Start.Line, (int)parentNode.Start.Column, "extends", $"parent profile '{parentName}' not found next to this file"));
        var parent = LoadMapping(parentPath, depth + 1);
        root.Children.Remove(extendsKey);
        return Merge(parent, root);
    }

    /// <summary>Child keys replace parent keys; nested mappings merge key by key.</summary>
    private YamlMappingNode Merge(YamlMappingNode parent, YamlMappingNode child)
    {
        var merged = new YamlMappingNode();
        _nodeFiles[merged] = FileOf(child, "");
        foreach (var (key, value) in parent.Children)
            merged.Children[key] = value;
        foreach (var (key, value) in child.Children)
        {
            if (merged.Children.TryGetValue(key, out var existing)
                && existing is YamlMappingNode parentMap && value is YamlMappingNode childMap)
                merged.Children[key] = Merge(parentMap, childMap);
            else
                merged.Children[key] = value;
        }
        return merged;
    }

    private void Tag(YamlNode node, string file)
    {
        _nodeFiles[node] = file;
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children) { Tag(key, file); Tag(value, file); }
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children) Tag(item, file);
                break;
        }
    }

    /// <summary>Paths relative to the working directory read better in error messages.</summary>
    public static string DisplayPath(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    private static string StripMark(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (...): " which we already print.
        var idx = message.LastIndexOf("): ", StringComparison.Ordinal);
        return idx >= 0 && message.StartsWith('(') ? message[(idx + 3)..] : message;
    }
}
