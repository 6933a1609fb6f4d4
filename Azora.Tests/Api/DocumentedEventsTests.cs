using Azora.Contract.Events;

namespace Azora.Tests.Api;

/// <summary>
/// The event table of docs/api/API-REFERENCE.md is the event contract (<see cref="AzoraEvents"/>) written out: one row
/// per event with its audience and its payload's field names, so an event added without documentation, or a payload
/// field renamed, fails here with the row to write.
/// </summary>
public class DocumentedEventsTests
{
    private const string Header = "| type | sent when | who receives it | `data` |";

    [Fact]
    public void The_reference_documents_every_event_of_the_contract_and_no_other()
    {
        var expected = AzoraEvents.All.Select(Row).ToList();

        var documented = EventTableRows();

        Assert.True(
            expected.SequenceEqual(documented),
            $"The events table in API-REFERENCE.md should read, after its header:\n{Header}\n| --- | --- | --- | --- |\n{string.Join("\n", expected)}");
    }

    [Fact]
    public void Every_event_name_is_unique_and_every_payload_has_fields()
    {
        Assert.Equal(AzoraEvents.All.Count, AzoraEvents.Names.Distinct().Count());
        Assert.All(AzoraEvents.All, @event => Assert.NotEmpty(AzoraEvents.FieldsOf(@event)));
        Assert.All(
            AzoraEvents.All.Where(@event => @event.Audience == EventAudience.AdminsAndCourseInstructor),
            @event => Assert.Contains(AzoraEvents.InstructorField, AzoraEvents.FieldsOf(@event)));
    }

    private static string Row(AzoraEvent @event)
    {
        var audience = @event.Audience switch
        {
            EventAudience.AdminsAndCourseInstructor => "admins; the course's instructor",
            EventAudience.TheSubscription => "the subscription pinged",
            EventAudience.Admins => "admins",
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.Audience, "an audience without words in the reference"),
        };
        var fields = string.Join(", ", AzoraEvents.FieldsOf(@event).Select(field => $"\"{field}\""));
        return $"| `{@event.Name}` | {@event.Description} | {audience} | `{{ {fields} }}` |";
    }

    private static List<string> EventTableRows()
    {
        var lines = File.ReadAllLines(Repository.PathOf("docs/api/API-REFERENCE.md"));
        var header = Array.IndexOf(lines, Header);
        Assert.True(header >= 0, $"API-REFERENCE.md has no line '{Header}'");
        return lines.Skip(header + 2).TakeWhile(line => line.StartsWith('|')).ToList();
    }
}
