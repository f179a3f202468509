namespace Concord.Crdt.Text;

// Finding visible positions. A marker is an item with the number of visible characters before it;
// a search starts from the nearest marker (or the first or last item) and walks the list from there,
// so editing near the previous edit costs a few steps whatever the length of the text. A remote change
// clears the markers (its position is not known without a walk), so the first local edit after one
// walks from the nearer end of the text; the edits after it are local again.
public sealed partial class ReplicatedText
{
    /// <summary>Returns the visible item holding visible character <paramref name="position"/> and the offset in it.</summary>
    private int FindVisible(int position, out int offset)
    {
        int item = _first;
        int start = 0;
        int distance = position;
        int marker = -1;
        if (_last >= 0)
        {
            int lastStart = _length - _items[_last].VisibleLength;
            if (Math.Abs(lastStart - position) < distance)
            {
                item = _last;
                start = lastStart;
                distance = Math.Abs(lastStart - position);
            }
        }

        for (int k = 0; k < _markerCount; k++)
        {
            int d = Math.Abs(_markerPosition[k] - position);
            if (d < distance)
            {
                distance = d;
                item = _markerItem[k];
                start = _markerPosition[k];
                marker = k;
            }
        }

        while (start > position)
        {
            item = _items[item].Left;
            start -= _items[item].VisibleLength;
        }

        while (true)
        {
            int visible = _items[item].VisibleLength;
            if (position < start + visible)
            {
                break;
            }

            start += visible;
            item = _items[item].Right;
        }

        offset = position - start;
        if (marker >= 0)
        {
            _markerItem[marker] = item;
            _markerPosition[marker] = start;
            _markerUsed = marker;
        }
        else
        {
            AddMarker(item, start);
        }

        return item;
    }

    private void AddMarker(int item, int start)
    {
        int k;
        if (_markerCount < MarkerCount)
        {
            k = _markerCount++;
        }
        else
        {
            k = _markerNext;
            _markerNext = (_markerNext + 1) % MarkerCount;
        }

        _markerItem[k] = item;
        _markerPosition[k] = start;
        _markerUsed = k;
    }

    /// <summary>Points the marker the last search used at <paramref name="item"/>, which starts at <paramref name="start"/>.</summary>
    private void RememberMarker(int item, int start)
    {
        if (_markerUsed >= 0 && _markerUsed < _markerCount)
        {
            _markerItem[_markerUsed] = item;
            _markerPosition[_markerUsed] = start;
        }
        else
        {
            AddMarker(item, start);
        }
    }

    /// <summary>
    /// Moves markers past <paramref name="count"/> characters inserted at <paramref name="position"/>,
    /// before the new item is linked. The new item goes after every tombstone at that position and
    /// before the visible item there, so exactly the markers past the position, and a visible item at it, move.
    /// </summary>
    private void ShiftMarkersForInsert(int position, int count)
    {
        for (int k = 0; k < _markerCount; k++)
        {
            int p = _markerPosition[k];
            if (p > position || (p == position && !_items[_markerItem[k]].Deleted))
            {
                _markerPosition[k] = p + count;
            }
        }
    }

    /// <summary>Moves markers after <paramref name="count"/> characters at <paramref name="position"/> were deleted.</summary>
    private void ShiftMarkersForDelete(int position, int count)
    {
        for (int k = 0; k < _markerCount; k++)
        {
            int p = _markerPosition[k];
            if (p >= position + count)
            {
                _markerPosition[k] = p - count;
            }
            else if (p > position)
            {
                _markerPosition[k] = position;
            }
        }
    }

    /// <summary>Forgets every marker, after a remote change moved text at positions the markers cannot tell.</summary>
    private void ClearMarkers()
    {
        _markerCount = 0;
        _markerNext = 0;
        _markerUsed = -1;
    }
}
