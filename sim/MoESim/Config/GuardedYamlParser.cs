using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MoESim.Config;

/// <summary>
/// Passes a YAML parser's events through while enforcing two limits that YamlDotNet's parser does
/// not: how deeply collections nest (its representation model loads nested collections by
/// recursion, so a 30,000-deep <c>[[[…</c> would overflow the stack) and how many nodes aliases
/// expand to (an "alias bomb" of 12 levels of 9 aliases is a small file whose tree, walked once
/// per alias use, has 9^12 nodes). Both limits are far above what any MoESim input needs, and
/// both are checked event by event, before the tree is built.
/// </summary>
internal sealed class GuardedYamlParser : IParser
{
    /// <summary>Deepest nesting of mappings and sequences accepted (levels, 1 = the top-level mapping).</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes that alias uses (<c>*name</c>) may stand for, summed over the file.</summary>
    public const long MaxAliasExpandedNodes = 100_000;

    private readonly IParser _inner;
    private readonly string _file;
    private readonly Stack<(string? Anchor, long Nodes)> _open = new();
    private readonly Dictionary<string, long> _anchorSizes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _openAnchors = new(StringComparer.Ordinal);
    private long _aliasExpandedNodes;

    /// <summary>Wraps <paramref name="inner"/>; errors name <paramref name="file"/> (as displayed) with line and column.</summary>
    public GuardedYamlParser(IParser inner, string file)
    {
        _inner = inner;
        _file = file;
    }

    /// <summary>The inner parser's current event.</summary>
    public ParsingEvent? Current => _inner.Current;

    /// <summary>Moves to the next event; throws <see cref="InputException"/> when it passes a limit.</summary>
    public bool MoveNext()
    {
        if (!_inner.MoveNext()) return false;
        switch (_inner.Current)
        {
            case MappingStart or SequenceStart:
                var start = (NodeEvent)_inner.Current;
                if (_open.Count >= MaxDepth)
                    throw Error(start.Start, $"YAML nested more than {MaxDepth} levels deep (mappings and lists inside each other); MoESim inputs need a handful");
                var anchor = start.Anchor.IsEmpty ? null : start.Anchor.Value;
                if (anchor is not null) _openAnchors.Add(anchor);
                _open.Push((anchor, 0));
                break;
            case MappingEnd or SequenceEnd when _open.Count > 0:
                var (closed, nodes) = _open.Pop();
                nodes += 1;
                if (closed is not null)
                {
                    _openAnchors.Remove(closed);
                    _anchorSizes[closed] = nodes;
                }
                AddToParent(nodes);
                break;
            case Scalar scalar:
                if (!scalar.Anchor.IsEmpty) _anchorSizes[scalar.Anchor.Value] = 1;
                AddToParent(1);
                break;
            case AnchorAlias alias:
                var name = alias.Value.IsEmpty ? "" : alias.Value.Value;
                if (_openAnchors.Contains(name))
                    throw Error(alias.Start, $"alias *{name} refers to a node that contains it (a cycle)");
                // An unknown anchor is left to YamlDotNet, which reports it with its position.
                var size = _anchorSizes.GetValueOrDefault(name, 1);
                _aliasExpandedNodes += size;
                if (_aliasExpandedNodes > MaxAliasExpandedNodes)
                    throw Error(alias.Start, $"YAML aliases expand to more than {MaxAliasExpandedNodes:N0} nodes (an alias bomb?); write the values out or use fewer nested aliases");
                AddToParent(size);
                break;
        }
        return true;
    }

    private void AddToParent(long nodes)
    {
        if (_open.Count == 0) return;
        var (anchor, count) = _open.Pop();
        _open.Push((anchor, count + nodes));
    }

    private InputException Error(Mark at, string problem) =>
        new(new InputError(_file, (int)at.Line, (int)at.Column, "", problem));
}
