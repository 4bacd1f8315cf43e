namespace MoESim.Config;

/// <summary>Collects errors during one load so they can be reported together.</summary>
public sealed class InputErrorList
{
    private readonly List<InputError> _errors = new();

    public int Count => _errors.Count;

    public void Add(InputError error) => _errors.Add(error);

    public void Add(string file, int line, int column, string field, string problem) =>
        _errors.Add(new InputError(file, line, column, field, problem));

    /// <summary>Throws an <see cref="InputException"/> if any error was recorded.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
            throw new InputException(_errors.ToList());
    }
}
