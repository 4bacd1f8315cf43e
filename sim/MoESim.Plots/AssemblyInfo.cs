using System.Runtime.CompilerServices;

// The tests exercise FontCheck's pure resolution logic without uninstalling fonts.
[assembly: InternalsVisibleTo("MoESim.Tests")]
