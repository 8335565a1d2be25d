import { renderHook } from '@testing-library/react';
import { useSignal } from '@backstage/plugin-signals-react';
import { useLiveStatus } from './useLiveStatus';

jest.mock('@backstage/plugin-signals-react', () => ({
  useSignal: jest.fn(),
}));
const mockUseSignal = useSignal as jest.Mock;

function signal(kubernetesIds: string[], changes?: string[]) {
  return { lastSignal: { kubernetesIds, changes }, isSignalsAvailable: true };
}

describe('useLiveStatus', () => {
  beforeEach(() => {
    mockUseSignal.mockReturnValue({
      lastSignal: null,
      isSignalsAvailable: true,
    });
  });

  it('refreshes on a signal for its ids only', () => {
    const refresh = jest.fn();
    const { rerender } = renderHook(() => useLiveStatus(refresh, ['shop']));
    mockUseSignal.mockReturnValue(signal(['other']));
    rerender();
    expect(refresh).not.toHaveBeenCalled();
    mockUseSignal.mockReturnValue(signal(['shop']));
    rerender();
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('answers a signal that came during a load once the load ends', () => {
    const refresh = jest.fn();
    const { rerender } = renderHook(
      ({ loading }) => useLiveStatus(refresh, ['shop'], loading),
      { initialProps: { loading: true } },
    );
    mockUseSignal.mockReturnValue(signal(['shop']));
    rerender({ loading: true });
    expect(refresh).not.toHaveBeenCalled();
    rerender({ loading: false });
    expect(refresh).toHaveBeenCalledTimes(1);
    rerender({ loading: false });
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('answers a change once, however many replicas announce it', () => {
    const refresh = jest.fn();
    const { rerender } = renderHook(() => useLiveStatus(refresh, ['shop']));
    mockUseSignal.mockReturnValue(signal(['shop'], ['uid-a@7']));
    rerender();
    // The same change from the second replica: a new signal object.
    mockUseSignal.mockReturnValue(signal(['shop'], ['uid-a@7']));
    rerender();
    expect(refresh).toHaveBeenCalledTimes(1);
    // A batch with one change not heard yet is answered.
    mockUseSignal.mockReturnValue(signal(['shop'], ['uid-a@7', 'uid-b@3']));
    rerender();
    expect(refresh).toHaveBeenCalledTimes(2);
    // The next version of the same object is a new change.
    mockUseSignal.mockReturnValue(signal(['shop'], ['uid-a@8']));
    rerender();
    expect(refresh).toHaveBeenCalledTimes(3);
    // Signals from a backend that names no changes are always answered.
    mockUseSignal.mockReturnValue(signal(['shop']));
    rerender();
    mockUseSignal.mockReturnValue(signal(['shop']));
    rerender();
    expect(refresh).toHaveBeenCalledTimes(5);
  });
});
