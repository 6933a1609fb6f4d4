// Stripe's Payment Element on /checkout/{slug}/pay: the card goes from the browser to Stripe only. Confirming sends
// the browser to the return URL (the portal's page that waits for the enrollment); an immediate refusal, such as a
// declined card or an incomplete form, stays here for another try.
(() => {
    const container = document.getElementById('payment-element');
    const form = document.getElementById('payment-form');
    const message = document.getElementById('payment-message');
    const submit = document.getElementById('payment-submit');
    if (!container || !form) {
        return;
    }

    if (typeof Stripe !== 'function') {
        message.textContent = 'Stripe could not be loaded. Check your connection and reload the page.';
        submit.disabled = true;
        return;
    }

    const stripe = Stripe(container.dataset.publishableKey);
    const elements = stripe.elements({ clientSecret: container.dataset.clientSecret });
    elements.create('payment').mount(container);

    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        submit.disabled = true;
        message.textContent = '';
        const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: container.dataset.returnUrl } });
        message.textContent = error.message || 'The payment could not be completed.';
        submit.disabled = false;
    });
})();
