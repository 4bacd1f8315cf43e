namespace MoESim.Config;

/// <summary>
/// Thrown when user input (a profile, model, trace or option) is invalid. Carries every error
/// found, so a user can fix them all at once. The CLI prints <see cref="Exception.Message"/>
/// (one line per error) and exits with code 2; it never shows a stack trace for these.
/// </summary>
public sealed class InputException : Exception
{
    public InputException(IReadOnlyList<InputError> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
    {
        Errors = errors;
    }

    public InputException(InputError error) : this(new[] { error }) { }

    public InputException(string file, string field, string problem)
        : this(new InputError(file, 0, 0, field, problem)) { }

    /// <summary>All errors found, in file order.</summary>
    public IReadOnlyList<InputError> Errors { get; }
}
