namespace EmbeddedPython.Tests;

public sealed class ErrorTextTests
{
    [Fact]
    public void A_text_within_the_bound_comes_back_unchanged()
    {
        var text = new string('a', 100);
        Assert.Same(text, ErrorText.Bound(text, 100));
        Assert.Equal("", ErrorText.Bound(null));
    }

    [Fact]
    public void A_long_text_keeps_its_start_and_end_around_a_marker_of_how_much_was_cut()
    {
        var text = "Traceback (most recent call last):\n" + new string('(', 200_000) + "\nSyntaxError: too many nested parentheses";

        var bounded = ErrorText.Bound(text, 1000);

        Assert.InRange(bounded.Length, 900, 1000);
        Assert.StartsWith("Traceback (most recent call last):\n(((", bounded);
        Assert.EndsWith("(((\nSyntaxError: too many nested parentheses", bounded);
        var kept = bounded.Length - MarkerLength(bounded);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $" … [cut: {text.Length - kept:N0} characters] … "), bounded);
    }

    [Fact]
    public void A_surrogate_pair_is_never_split()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 10_000));

        var bounded = ErrorText.Bound(text, 333);

        Assert.True(bounded.Length <= 333);
        for (var i = 0; i < bounded.Length; i++)
        {
            if (char.IsHighSurrogate(bounded[i]))
                Assert.True(char.IsLowSurrogate(bounded[++i]));
            else
                Assert.False(char.IsLowSurrogate(bounded[i]));
        }
    }

    [Fact]
    public void A_bound_too_small_for_the_marker_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorText.Bound("text", ErrorText.MinimumMaxLength - 1));
    }

    private static int MarkerLength(string bounded)
    {
        var start = bounded.IndexOf(" … [cut: ", StringComparison.Ordinal);
        var end = bounded.IndexOf(" characters] … ", start, StringComparison.Ordinal) + " characters] … ".Length;
        return end - start;
    }
}
