namespace MoESim.Config;

/// <summary>
/// One problem with a user's input: where it is (file, 1-based line and column, or a record
/// number in <see cref="Line"/> for tabular files) and which field is wrong.
/// </summary>
public sealed record InputError(string File, int Line, int Column, string Field, string Problem)
{
    /// <summary>Formats as <c>file:line:col: field: problem</c>, omitting unknown parts.</summary>
    public override string ToString()
    {
        var where = Line > 0 ? (Column > 0 ? $"{File}:{Line}:{Column}" : $"{File}:{Line}") : File;
        return string.IsNullOrEmpty(Field) ? $"{where}: {Problem}" : $"{where}: {Field}: {Problem}";
    }
}
