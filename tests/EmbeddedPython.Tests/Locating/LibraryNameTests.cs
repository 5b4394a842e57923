using EmbeddedPython.Locating;

namespace EmbeddedPython.Tests.Locating;

/// <summary>The minor version read from a library path (names a regular expression matched before: the Unix
/// names are now read by hand, to keep a regex's first use out of start-up).</summary>
public sealed class LibraryNameTests
{
    [Theory]
    [InlineData("/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0", 11)]
    [InlineData("/usr/lib/x86_64-linux-gnu/libpython3.12.so", 12)]
    [InlineData("/opt/python/lib/libpython3.13.so.1", 13)]
    [InlineData("/opt/homebrew/lib/libpython3.9.dylib", 9)]
    [InlineData("/Python312/python312.dll", 12)]
    [InlineData("/Library/Frameworks/Python.framework/Versions/3.10/Python", 10)]
    [InlineData("/usr/lib/libpython3.so", null)]
    [InlineData("/usr/lib/libpython3.12.a", null)]
    [InlineData("/usr/lib/libpython3.12.so.", null)]
    [InlineData("/usr/lib/libpython3.12.so.1x", null)]
    [InlineData("/usr/lib/libpython3.12d.so", null)]
    [InlineData("/usr/lib/libpython3.x.so", null)]
    [InlineData("/usr/lib/libpython3.12.dylib.1", null)]
    [InlineData("/usr/lib/libpython2.7.so.1.0", null)]
    public void The_minor_version_comes_from_the_library_name(string path, int? minor) =>
        Assert.Equal(minor, LibraryName.MinorOf(path));
}
