using Azora.Api.Auth.Passwords;

namespace Azora.Tests.Api;

public class PasswordPolicyTests
{
    private static readonly PasswordPolicy Bundled = PasswordPolicy.FromBundledList();

    [Fact]
    public void The_bundled_list_holds_the_common_passwords_of_twelve_characters_or_more()
    {
        // 44,150 lines, 43,940 once casing is ignored.
        Assert.Equal(43_940, Bundled.CommonPasswordCount);
        Assert.NotNull(Bundled.Check("1qaz2wsx3edc"));
        Assert.NotNull(Bundled.Check("Qazwsxedcrfv"));
    }

    [Theory]
    [InlineData("abcdefghijk", false)]
    [InlineData("abcdefgh-ijk", true)]
    [InlineData("🎓🎓🎓🎓🎓🎓🎓🎓🎓🎓🎓", false)]
    [InlineData("🎓🎓🎓🎓🎓🎓🎓🎓🎓🎓🎓🎓", true)]
    public void Length_counts_characters_not_utf16_units(string password, bool acceptable)
    {
        Assert.Equal(acceptable, Bundled.Check(password) is null);
    }

    [Fact]
    public void No_composition_rules_apply()
    {
        Assert.Null(Bundled.Check("all lowercase words here"));
        Assert.Null(Bundled.Check("ALLUPPERCASEWORDSHERE"));
        Assert.Null(Bundled.Check("7395028461730592"));
    }

    [Fact]
    public void Missing_and_overlong_passwords_are_refused()
    {
        Assert.NotNull(Bundled.Check(null));
        Assert.NotNull(Bundled.Check(""));
        Assert.Null(Bundled.Check(new string('z', 128)));
        Assert.NotNull(Bundled.Check(new string('z', 129)));
    }

    [Fact]
    public void A_custom_list_is_compared_case_insensitively_and_after_normalisation()
    {
        var policy = new PasswordPolicy(["caf\u00e9 au lait daily"]);

        Assert.NotNull(policy.Check("CAFE\u0301 AU LAIT DAILY"));
        Assert.Null(policy.Check("tea with milk daily"));
    }
}
